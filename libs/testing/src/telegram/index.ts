export { TelegramEmulator } from './telegram-emulator';
export { TelegramEmulatorClient, TelegramEmulatorClientError, type BotApiResponse } from './telegram-emulator.client';
export { ControlError, type TelegramEmulatorOptions } from './emulator-core';
export type { FaultConfig } from './faults';
export type * from './control-types';
// Bot API object names (User, Chat, Message, Document...) are too generic for the testing barrel.
export type * as TelegramBotApi from './bot-api-types';
export { parseHtml } from './formatting';
// The hostile-text corpus and the checks every screen's output must pass (the same parser and limits).
export * from '../hostile/hostile-strings';
export { buttonsOf, buttonData, type ChatButton } from './chat-buttons';
