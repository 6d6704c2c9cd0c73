export * from './referral-code';
export * from './language-choice';
export * from './bot-users.service';
export * from './users.module';
