import { Composer, type MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context/bot-context';

type When = (ctx: BotContext) => boolean;
type CommandFn = Parameters<Composer<BotContext>['command']>[1];
type ActionFn = Parameters<Composer<BotContext>['action']>[1];
type HearsFn = Parameters<Composer<BotContext>['hears']>[1];
/** The update and message kinds the handlers listen to with `on`. */
export type RouteFilter = 'text' | 'photo' | 'message' | 'callback_query' | 'pre_checkout_query' | 'my_chat_member';

interface Route {
  /** Whether the route can act on this update at all; a route it says no to passes the update on. */
  readonly when: When | null;
  readonly run: MiddlewareFn<BotContext>;
}

/** The command Telegraf's `command` filter would read from the update (first entity, at offset 0). */
function commandOf(update: BotContext['update']): string | undefined {
  const message = 'message' in update ? update.message : undefined;
  if (!message || !('text' in message)) return undefined;
  const entity = message.entities?.[0];
  if (entity?.type !== 'bot_command' || entity.offset > 0) return undefined;
  const part = message.text.slice(0, entity.length).split('@')[0];
  return part ? part.slice(1) : undefined;
}

/** The text Telegraf's `action` trigger is matched against: the callback query's data (or game name). */
function callbackDataOf(update: BotContext['update']): string | undefined {
  const q = 'callback_query' in update ? update.callback_query : undefined;
  if (!q) return undefined;
  if ('data' in q) return q.data;
  return 'game_short_name' in q ? q.game_short_name : undefined;
}

function messageTextOf(update: BotContext['update']): string | undefined {
  const message = 'message' in update ? update.message : undefined;
  return message && 'text' in message ? message.text : undefined;
}

const matches = (trigger: string | RegExp, value: string): boolean => {
  if (typeof trigger === 'string') return trigger === value;
  trigger.lastIndex = 0;
  return trigger.test(value);
};

const both = (a: When | null, b: When | null): When | null => (a && b ? (ctx) => a(ctx) && b(ctx) : (a ?? b));

/**
 * The handlers' routes, in order, with what each can act on — the same chain as Telegraf's `Composer`
 * (`command`, `action`, `hears`, `on`, `use`), but flat: an update visits only the routes that can act on
 * it. Telegraf's composer runs every update through every filter of every handler, each filter a chain of
 * promises (a `/start` made ~800 of them, most of the worker's CPU with the async context on); here a route
 * that cannot act is skipped by a plain check before any promise is made. The check is Telegraf's own
 * filter (the same command read from the first entity, the same callback data, the same update keys), and
 * the matched route still runs through Telegraf's filter, which sets `ctx.match` / `ctx.payload` as before.
 */
export class Routes {
  private readonly list: Route[] = [];

  constructor(...parts: Routes[]) {
    for (const part of parts) this.use(part);
  }

  /** Telegraf's `command`: a message whose first entity is one of these bot commands. */
  command(names: string | readonly string[], fn: CommandFn): this {
    const set = new Set(typeof names === 'string' ? [names] : names);
    const when: When = (ctx) => {
      const name = commandOf(ctx.update);
      return name !== undefined && set.has(name);
    };
    return this.add(when, Composer.command<BotContext>([...set], fn));
  }

  /** Telegraf's `action`: a callback query whose data is this string or matches this pattern. */
  action(trigger: string | RegExp, fn: ActionFn): this {
    const when: When = (ctx) => {
      const data = callbackDataOf(ctx.update);
      return data !== undefined && matches(trigger, data);
    };
    return this.add(when, Composer.action<BotContext>(trigger, fn));
  }

  /** Telegraf's `hears`: a text message matching this pattern. */
  hears(pattern: RegExp, fn: HearsFn): this {
    const when: When = (ctx) => {
      const text = messageTextOf(ctx.update);
      return text !== undefined && matches(pattern, text);
    };
    return this.add(when, Composer.hears<BotContext>(pattern, fn));
  }

  /** Telegraf's `on` for one update type or message kind (the same test: a key of the update or its message). */
  on(filter: RouteFilter, fn: MiddlewareFn<BotContext>): this {
    const when: When = (ctx) => {
      const update = ctx.update as object as Record<string, unknown>;
      if (filter in update) return true;
      const message = update.message;
      return typeof message === 'object' && message !== null && filter in message;
    };
    return this.add(when, fn);
  }

  /** Another set of routes (flattened, each under `when` too), or a middleware every update goes through. */
  use(part: Routes | MiddlewareFn<BotContext>, when: When | null = null): this {
    if (part instanceof Routes) {
      for (const r of part.list) this.list.push({ when: both(when, r.when), run: r.run });
      return this;
    }
    return this.add(when, part);
  }

  /** The routes as one middleware: each update runs the routes that can act on it, in order, until one stops. */
  middleware(): MiddlewareFn<BotContext> {
    const list = this.list;
    return (ctx, next) => {
      const step = (i: number): Promise<void> => {
        for (; i < list.length; i++) {
          const { when, run } = list[i];
          if (when === null || when(ctx)) return Promise.resolve(run(ctx, () => step(i + 1))) as Promise<void>;
        }
        return Promise.resolve(next());
      };
      return step(0);
    };
  }

  private add(when: When | null, run: MiddlewareFn<BotContext>): this {
    this.list.push({ when, run });
    return this;
  }
}
