export * from './telegram-bot-api';
