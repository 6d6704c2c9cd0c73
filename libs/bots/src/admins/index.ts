export * from './admin-roles';
export * from './admin-access.service';
export * from './bot-admins.module';
