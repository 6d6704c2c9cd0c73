export * from './growth.module';
export * from './clock';
export * from './trial/start-trial.use-case';
export * from './reminders/reminder-rules';
export * from './reminders/reminders.service';
export * from './auto-renew/auto-renewals.service';
