export * from './telegram-bot-api';
export * from './webhook-secret';
export * from './bot-api.module';
export * from './update-keys';
export * from './chat-order';
