import { randomUUID } from 'node:crypto';
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { waitFor } from '../apps/app-process';
import { buttonData, buttonsOf, PressButtonResult, StoredMessageView, TelegramEmulator, UserInput } from '../telegram';
import { ZarinpalEmulator } from '../zarinpal';
import { TestBot, TestContext } from './test-context';
import { HOSTING_WORKER_ENV, WorkerWorld } from './worker-world';

/** The sale's callback prefixes on the way to Zarinpal: a plan of /buy, then the Zarinpal method. */
const PLAN = 's:p:';
const ZARINPAL = 'pg:zarinpal:';

export interface ZarinpalShopOptions {
  /** The worker app to boot, `createWorkerApp` (libraries never import apps). */
  createWorker: () => Promise<INestApplication | INestApplicationContext>;
  /** The suite's own env, over `HOSTING_WORKER_ENV` and the Zarinpal emulator's address (live and sandbox). */
  env?: Record<string, string>;
  /** The suite's own set-up, after the bot, its Zarinpal and its plan, before the worker starts. */
  arrange?: (shop: ZarinpalShop) => Promise<void>;
}

/** What a suite reads of its shop: set in beforeAll, so read inside tests and hooks. */
export type ZarinpalShop = ReturnType<typeof zarinpalShop>;

/**
 * One shop selling through Zarinpal in a real worker, for a worker integration suite: the Zarinpal emulator (one
 * merchant), a `WorkerWorld` whose worker hosts the shop's bot against the Telegram emulator, the bot (IRR, English,
 * a wholesale wallet of 10 000 000) with Zarinpal on and one plan (`Month`, 50 000), and the worker polling it.
 * Registers the suite's beforeAll / afterAll.
 */
export function zarinpalShop(opts: ZarinpalShopOptions) {
  const shop = {
    zp: undefined as unknown as ZarinpalEmulator,
    world: undefined as unknown as WorkerWorld,
    bot: undefined as unknown as TestBot,
    merchantId: randomUUID(),
    get telegram(): TelegramEmulator {
      return shop.world.telegram;
    },
    get ctx(): TestContext {
      return shop.world.ctx;
    },
    /** The platform connection (BYPASSRLS), for looking at what was written. */
    get platform(): DataSource {
      return shop.world.platform;
    },
    /** The bot's messages in the chat `chatId`, in their current state (edits applied), oldest first. */
    botMessages: (chatId: number): StoredMessageView[] =>
      shop.telegram.getChatMessages(shop.bot.telegram.id, chatId).filter((m) => m.direction === 'bot'),
    /** The Zarinpal payment link (the emulator's StartPay page) under a message, if it has one. */
    linkOf: (m: StoredMessageView): string | undefined =>
      buttonsOf(m).find((b) => b.url?.startsWith(`${shop.zp.url}/pg/StartPay/`))?.url,
    /**
     * `buyer` sends /buy and picks the plan; resolves to the payment methods screen (the plans message, edited),
     * which carries the Zarinpal button. Only messages newer than the chat's last one before /buy count.
     */
    async buyerReachesPay(buyer: UserInput): Promise<StoredMessageView> {
      const after = shop.botMessages(buyer.id).reduce((n, m) => Math.max(n, m.messageId), 0);
      const fresh = () => shop.botMessages(buyer.id).filter((m) => m.messageId > after);
      shop.telegram.sendText(shop.bot.telegram.id, { from: buyer, text: '/buy' });
      const plans = await waitFor(() => fresh().find((m) => !!buttonData(m, PLAN)));
      shop.telegram.pressButton(shop.bot.telegram.id, {
        from: buyer,
        messageId: plans.messageId,
        data: buttonData(plans, PLAN)!,
      });
      return waitFor(() => fresh().find((m) => !!buttonData(m, ZARINPAL)));
    },
    /** `buyer` presses the Zarinpal button under `screen` (the methods screen, or one offering to pay again). */
    pressZarinpal: (buyer: UserInput, screen: StoredMessageView): PressButtonResult =>
      shop.telegram.pressButton(shop.bot.telegram.id, {
        from: buyer,
        messageId: screen.messageId,
        data: buttonData(screen, ZARINPAL)!,
      }),
  };

  beforeAll(async () => {
    shop.zp = await ZarinpalEmulator.start();
    shop.zp.addMerchant(shop.merchantId);
    shop.world = await WorkerWorld.start({
      env: {
        ...HOSTING_WORKER_ENV,
        ZARINPAL_BASE_URL: shop.zp.url,
        ZARINPAL_SANDBOX_BASE_URL: shop.zp.url,
        ...opts.env,
      },
    });
    shop.bot = await shop.ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000, defaultLanguage: 'en' });
    await shop.ctx.enableZarinpal(shop.bot.id, shop.merchantId);
    await shop.ctx.newPlan(shop.bot.id, { name: { en: 'Month' }, priceMinor: 50_000 });
    await opts.arrange?.(shop);
    await shop.world.startWorker(opts.createWorker);
    await shop.telegram.waitForPolling(shop.bot.telegram.id, 15_000);
  });

  afterAll(async () => {
    await shop.world?.close();
    await shop.zp?.close();
  });

  return shop;
}
