export * from './bot-events';
export * from './bot-events.publisher';
export * from './bot-view';
export * from './currency-lock';
export * from './bot-settings.service';
export * from './bots.module';
export * from './admins';
export * from './console-access';
