import { createHook } from 'node:async_hooks';
import { Composer, type MiddlewareFn, Telegram } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { BotContext } from '../context/bot-context';
import { Routes } from './routes';

const BOT: UserFromGetMe = {
  id: 42,
  is_bot: true,
  first_name: 'Shop',
  username: 'shop_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

type Seen = string[];
/** Handlers that record their name (and the match Telegraf set), then either stop or pass the update on. */
const stop = (seen: Seen, name: string) => (ctx: BotContext) => {
  const match = (ctx as unknown as { match?: RegExpExecArray | string[] }).match;
  seen.push(match ? `${name}:${[...match].join('|')}` : name);
};
const pass = (seen: Seen, name: string) => (ctx: BotContext, next: () => Promise<void>) => {
  seen.push(name);
  return next();
};

const isPrivate = (ctx: BotContext) => ctx.chat?.type === 'private';

/** The same chain twice: once with Telegraf's Composer (the reference), once with Routes. */
function chains(seen: Seen): { telegraf: Composer<BotContext>; routes: Routes } {
  const t = new Composer<BotContext>();
  const r = new Routes();
  t.on('my_chat_member', stop(seen, 'member'));
  r.on('my_chat_member', stop(seen, 'member'));
  t.use(pass(seen, 'identify'));
  r.use(pass(seen, 'identify'));
  const tReview = new Composer<BotContext>();
  const rReview = new Routes();
  tReview.action(/^rv:(\w+)/, stop(seen, 'review'));
  rReview.action(/^rv:(\w+)/, stop(seen, 'review'));
  tReview.on('text', pass(seen, 'reason?'));
  rReview.on('text', pass(seen, 'reason?'));
  t.use(tReview);
  r.use(rReview);
  t.on('pre_checkout_query', stop(seen, 'checkout'));
  r.on('pre_checkout_query', stop(seen, 'checkout'));

  const tChat = new Composer<BotContext>();
  const rChat = new Routes();
  for (const c of [tChat, rChat] as const) {
    (c as Routes).use(pass(seen, 'blocked?'));
    (c as Routes).command(['orders', 'users'], stop(seen, 'admin-cmd'));
    (c as Routes).command('help', pass(seen, 'admin-help'));
    (c as Routes).action('menu:wallet', stop(seen, 'wallet-menu'));
    (c as Routes).action(/^wt:(\d+)$/, stop(seen, 'wallet'));
    (c as Routes).hears(/^\/promo(?:\s+(\S+))?$/, stop(seen, 'promo'));
    (c as Routes).on('photo', pass(seen, 'photo?'));
    (c as Routes).on('message', pass(seen, 'message?'));
    (c as Routes).command('start', stop(seen, 'start'));
    (c as Routes).command('help', stop(seen, 'help'));
    (c as Routes).on('callback_query', stop(seen, 'callback'));
    (c as Routes).on('message', stop(seen, 'hint'));
  }
  t.use(Composer.privateChat(tChat));
  r.use(rChat, isPrivate);
  return { telegraf: t, routes: r };
}

let nextId = 1;
const privateChat = { id: 7, type: 'private' as const, first_name: 'Ali' };
const group = { id: -100, type: 'supergroup' as const, title: 'Admins' };
const from = { id: 7, is_bot: false, first_name: 'Ali' };

function text(body: string, chat: object = privateChat, command = body.startsWith('/')): Update {
  const length = command ? (/^\/\S+/.exec(body)?.[0].length ?? 0) : 0;
  return {
    update_id: nextId++,
    message: {
      message_id: nextId,
      date: 0,
      chat,
      from,
      text: body,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length }] } : {}),
    },
  } as Update;
}
const callback = (data: string, chat: object = privateChat): Update =>
  ({
    update_id: nextId++,
    callback_query: {
      id: String(nextId),
      from,
      chat_instance: 'x',
      data,
      message: { message_id: 1, date: 0, chat, text: 'menu' },
    },
  }) as Update;

const corpus: Array<[string, Update]> = [
  ['/start', text('/start')],
  ['/start with a payload', text('/start ref_abc')],
  ['/start addressed to this bot', text('/start@shop_bot')],
  ['/start addressed to another bot', text('/start@other_bot')],
  ['/START (commands are case-sensitive)', text('/START')],
  ['/help (two routes, the first passes)', text('/help')],
  ['/orders', text('/orders')],
  ['/users@shop_bot', text('/users@shop_bot')],
  ['/promo CODE (hears)', text('/promo CODE')],
  [
    'a command not at offset 0',
    {
      ...text('see /start'),
      message: {
        ...(text('see /start') as { message: object }).message,
        entities: [{ type: 'bot_command', offset: 4, length: 6 }],
      },
    } as Update,
  ],
  ['/start without entities', text('/start', privateChat, false)],
  ['plain text', text('hello')],
  ['text in a group', text('hello', group)],
  ['/start in a group', text('/start', group)],
  [
    'a photo',
    {
      update_id: nextId++,
      message: {
        message_id: 3,
        date: 0,
        chat: privateChat,
        from,
        photo: [{ file_id: 'f', file_unique_id: 'u', width: 1, height: 1 }],
      },
    } as Update,
  ],
  ['wallet menu button', callback('menu:wallet')],
  ['wallet menu button with a suffix', callback('menu:wallet2')],
  ['wallet top-up button', callback('wt:500')],
  ['wallet button that does not match', callback('wt:abc')],
  ['review button in a group', callback('rv:approve', group)],
  ['review button in private', callback('rv:reject')],
  ['unknown button', callback('zz')],
  [
    'pre-checkout query',
    {
      update_id: nextId++,
      pre_checkout_query: { id: 'q', from, currency: 'XTR', total_amount: 1, invoice_payload: 'p' },
    } as Update,
  ],
  [
    'membership change',
    {
      update_id: nextId++,
      my_chat_member: {
        chat: privateChat,
        from,
        date: 0,
        old_chat_member: { status: 'member', user: from },
        new_chat_member: { status: 'kicked', user: from, until_date: 0 },
      },
    } as Update,
  ],
];

describe('Routes', () => {
  it.each(corpus)(
    'visits the same handlers, with the same match, as Telegraf’s Composer: %s',
    async (_name, update) => {
      const viaTelegraf: Seen = [];
      const viaRoutes: Seen = [];
      const t = chains(viaTelegraf).telegraf;
      const r = chains(viaRoutes).routes;
      let telegrafFellThrough = false;
      let routesFellThrough = false;
      await t.middleware()(new BotContext(update, new Telegram('1:test'), BOT), () => {
        telegrafFellThrough = true;
        return Promise.resolve();
      });
      await r.middleware()(new BotContext(update, new Telegram('1:test'), BOT), () => {
        routesFellThrough = true;
        return Promise.resolve();
      });
      expect(viaRoutes).toEqual(viaTelegraf);
      expect(routesFellThrough).toBe(telegrafFellThrough);
      expect(viaTelegraf.length).toBeGreaterThan(0);
    },
  );

  it('skips the routes that cannot act before making a promise: a /start costs a fraction of Telegraf’s chain', async () => {
    const promisesOf = async (mw: MiddlewareFn<BotContext>) => {
      let made = 0;
      const hook = createHook({
        init: (_id, type) => {
          if (type === 'PROMISE') made++;
        },
      }).enable();
      try {
        await mw(new BotContext(text('/start'), new Telegram('1:test'), BOT), () => Promise.resolve());
      } finally {
        hook.disable();
      }
      return made;
    };
    const seen: Seen = [];
    const { telegraf, routes } = chains(seen);
    const viaTelegraf = await promisesOf(telegraf.middleware());
    seen.length = 0;
    const viaRoutes = await promisesOf(routes.middleware());
    expect(seen).toEqual(['identify', 'reason?', 'blocked?', 'message?', 'start:start']);
    expect(viaRoutes * 3).toBeLessThan(viaTelegraf);
  });

  it('runs a route’s `when` at the moment the update reaches it, after the routes before it ran', async () => {
    const r = new Routes();
    const seen: string[] = [];
    r.use((ctx, next) => {
      ctx.lang = 'fa';
      return next();
    });
    r.use(
      () => {
        seen.push('persian');
      },
      (ctx) => ctx.lang === 'fa',
    );
    await r.middleware()(new BotContext(text('hi'), new Telegram('1:test'), BOT), () => Promise.resolve());
    expect(seen).toEqual(['persian']);
  });

  it('rejects with the handler’s error, like Telegraf’s chain', async () => {
    const r = new Routes();
    r.command('start', () => Promise.reject(new Error('boom')));
    await expect(
      r.middleware()(new BotContext(text('/start'), new Telegram('1:test'), BOT), () => Promise.resolve()),
    ).rejects.toThrow('boom');
  });
});
