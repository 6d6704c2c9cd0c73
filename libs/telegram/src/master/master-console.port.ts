import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context/bot-context';

/**
 * The operator's console as the composition mounts it (private chats, before the shop). Bound by
 * MasterConsoleModule where the app has the platform path (the worker); without it the composition has none.
 */
export interface MasterConsolePort {
  readonly middleware: MiddlewareFn<BotContext>;
}

export const MASTER_CONSOLE = Symbol('MASTER_CONSOLE');
