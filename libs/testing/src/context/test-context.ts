import { INestApplicationContext, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Actors, DomainError, ErrorCode, RedisModule } from '@botfleet/common';
import { AuditModule } from '@botfleet/audit';
import { BillingModule, UserLedgerService, WholesalePriceView } from '@botfleet/billing';
import {
  CatalogModule,
  FeaturesService,
  PaymentCardInput,
  PaymentCardsService,
  PaymentCardView,
  PlanInput,
  PlansService,
  PlanView,
} from '@botfleet/catalog';
import { AppConfig, ConfigModule, loadConfig } from '@botfleet/config';
import { DalModule, OrderEntity, TenantRepositories, TicketEntity, TicketMessageEntity } from '@botfleet/dal';
import { JobsModule } from '@botfleet/jobs';
import {
  BotAdminService,
  OnboardBotUseCase,
  OperatorModule,
  PanelInput,
  PanelsRegistryService,
  PanelView,
  TopUpWalletUseCase,
} from '@botfleet/operator';
import { PanelAvailability, PlatformDbModule } from '@botfleet/platform';
import {
  ApproveReceiptUseCase,
  CreateOrderUseCase,
  PayFromWalletUseCase,
  SalesModule,
  StartCardPaymentUseCase,
  SubmitReceiptUseCase,
} from '@botfleet/sales';
import { SecretsModule } from '@botfleet/secrets';
import { PaymentsModule, TopUpsModule } from '@botfleet/payments';
import { OpenTicketUseCase, SupportModule } from '@botfleet/support';
import { BroadcastsModule } from '@botfleet/broadcasts';
import { GrowthModule } from '@botfleet/growth';
import { BotSettingsService, BotsModule, BotView } from '@botfleet/bots';
import { BotUser, BotUsersService, UsersModule } from '@botfleet/users';
import { createTestEnv, TestEnv } from '../apps/test-env';
import { CreatedBot, TelegramEmulator } from '../telegram';

export interface TestContextOptions {
  /** The environment to write into (from `createTestEnv`); without one the context makes its own and removes it on close. */
  env?: TestEnv;
  /** The Telegram emulator onboarding checks tokens with (getMe); without one the context starts its own. */
  telegram?: TelegramEmulator;
  /**
   * `detached`: the jobs the product queues (provisioning after a payment, notifications) go to a Redis prefix
   * that no consumer reads, for tests that drive the consumer's service by hand. Bot events go there too.
   */
  jobs?: 'shared' | 'detached';
}

export interface NewBotOptions {
  name?: string;
  ownerTelegramId?: number;
  defaultLanguage?: 'fa' | 'en' | 'ru';
  currency?: string;
  supportUsername?: string;
  adminChatId?: number;
  /** A bot paused by its tenant, or suspended by the operator, after onboarding. */
  status?: 'active' | 'paused' | 'suspended';
  /** Tops the wholesale wallet up by this much after onboarding. */
  walletMinor?: number;
}

export interface TestBot {
  id: string;
  /** The tenant's API token, shown once by onboarding. */
  apiToken: string;
  /** The Telegram bot as the emulator knows it (id, token, username). */
  telegram: CreatedBot;
  ownerTelegramId: number;
  view: BotView;
}

export interface NewUserOptions {
  telegramId?: number;
  language?: 'fa' | 'en' | 'ru';
  firstName?: string;
  username?: string;
  /** The `/start` payload of the first contact (`ref_<code>` records a referrer). */
  startPayload?: string;
}

export interface NewOrderOptions {
  /** The buyer; a new user otherwise. */
  userId?: string;
  /** The plan bought; a new plan made from `plan` otherwise. */
  planId?: string;
  plan?: Partial<PlanInput>;
  /** Renew this subscription instead of buying a new one. */
  renewSubscriptionId?: string;
  /** The receipt photo's file id (one the user sent to the Telegram emulator); a made-up id otherwise. */
  receiptFileId?: string;
}

export interface NewPaidOrderOptions extends NewOrderOptions {
  /** How it is paid: from the user's wallet (a deposit first), or by card with a receipt the owner approves. */
  via?: 'wallet' | 'card';
}

export interface PendingOrder {
  userId: string;
  telegramId: number;
  planId: string;
  orderId: string;
  order: OrderEntity;
}

export interface ReceiptToReview extends PendingOrder {
  /** The card-to-card payment, `pending` review. */
  paymentId: string;
}

export interface PaidOrder {
  userId: string;
  telegramId: number;
  planId: string;
  orderId: string;
  subscriptionId: string;
  order: OrderEntity;
}

export interface NewOpenTicketOptions {
  /** The bot's status: paused by default, so no poller answers the /start of its owner and customer. */
  status?: 'active' | 'paused';
  /** The bot's admin chat, where ticket cards go (the owner's private chat when none). */
  adminChatId?: number;
  subject?: string;
  /** The customer's first message. */
  text?: string;
}

export interface OpenTicket {
  bot: TestBot;
  customer: BotUser;
  ticket: TicketEntity;
  /** The customer's first message. */
  message: TicketMessageEntity;
}

const DEFAULT_PLAN: Omit<PlanInput, 'name'> = { periodDays: 30, priceMinor: 1000, trafficLimitGb: 50, deviceLimit: 2 };

/** A 16-digit card number that passes the Luhn check, different on every call. */
function luhnCardNumber(prefix = '603799'): string {
  let digits = prefix;
  while (digits.length < 15) digits += String(randomBytes(1)[0] % 10);
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = Number(digits[14 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits + String((10 - (sum % 10)) % 10);
}

let telegramIds = 0;
/** Telegram ids unique within a run, far from the ids tests pick by hand. */
const nextTelegramId = () => 5_000_000_000 + process.pid * 100_000 + ++telegramIds;

/**
 * Test data written by the product itself: the real Nest providers (DalModule, the domain modules, the
 * operator's onboarding and panel registry, the sale) against the test database, so every row has the
 * shape production writes. Arrange with `ctx.newBot()`, `ctx.newUser(botId)`, `ctx.newPlan(botId)`,
 * `ctx.newCard(botId)`, `ctx.newPanel(...)`, `ctx.newPaidOrder(botId)`; reach any other production
 * service with `ctx.get(Type)`. Close it in `afterAll`.
 */
export class TestContext {
  private constructor(
    readonly env: TestEnv,
    readonly telegram: TelegramEmulator,
    readonly app: INestApplicationContext,
    private readonly owned: { env: boolean; telegram: boolean },
  ) {}

  static async create(options: TestContextOptions = {}): Promise<TestContext> {
    const telegram = options.telegram ?? (await TelegramEmulator.start());
    const env = options.env ?? (await createTestEnv({ TELEGRAM_API_ROOT: telegram.url }));
    const vars: Record<string, string> = { ...env.vars, TELEGRAM_API_ROOT: telegram.url, LOG_LEVEL: 'silent' };
    if (options.jobs === 'detached') vars.REDIS_PREFIX = `${env.redisPrefix}ctx`;
    const module = await Test.createTestingModule({
      imports: [
        ConfigModule,
        SecretsModule,
        RedisModule,
        DalModule,
        PlatformDbModule,
        JobsModule,
        AuditModule,
        CatalogModule,
        BillingModule,
        UsersModule,
        BotsModule,
        SalesModule,
        TopUpsModule,
        PaymentsModule,
        SupportModule,
        BroadcastsModule,
        GrowthModule,
        OperatorModule,
      ],
      providers: [PanelAvailability],
    })
      .overrideProvider(AppConfig)
      .useValue(loadConfig(vars))
      .compile();
    const app = await module.init();
    return new TestContext(env, telegram, app, { env: !options.env, telegram: !options.telegram });
  }

  /** A production provider of the context (a service, a repository, TenantDb …). */
  get<T>(type: Type<T>): T {
    return this.app.get(type, { strict: false });
  }

  /** The application-role data source (RLS applies), as the apps use it. */
  get dataSource(): DataSource {
    return this.get(DataSource);
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.owned.env) await this.env.cleanup();
    if (this.owned.telegram) await this.telegram.close();
  }

  /** A bot onboarded by the operator (master) with a fresh emulator bot: the `POST /v1/bots` use case. */
  async newBot(options: NewBotOptions = {}): Promise<TestBot> {
    const telegram = this.telegram.createBot();
    const ownerTelegramId = options.ownerTelegramId ?? nextTelegramId();
    const { bot, apiToken } = await this.get(OnboardBotUseCase).execute(
      {
        name: options.name ?? `Shop ${telegram.username}`,
        telegramBotToken: telegram.token,
        ownerTelegramId,
        defaultLanguage: options.defaultLanguage ?? 'en',
        currency: options.currency,
        supportUsername: options.supportUsername,
        adminChatId: options.adminChatId,
      },
      Actors.master(),
    );
    let view = bot;
    if (options.walletMinor) await this.topUp(bot.id, options.walletMinor);
    if (options.status === 'paused') {
      view = await this.get(BotSettingsService).update(bot.id, { status: 'paused' }, Actors.master());
    } else if (options.status === 'suspended') {
      view = await this.get(BotAdminService).suspend(bot.id, Actors.master());
    }
    return { id: bot.id, apiToken, telegram, ownerTelegramId, view };
  }

  /** The operator tops the bot's wholesale wallet up. */
  async topUp(botId: string, amountMinor: number): Promise<void> {
    await this.get(TopUpWalletUseCase).execute({
      botId,
      amountMinor,
      note: 'test',
      idempotencyKey: `test-${randomBytes(8).toString('hex')}`,
      actor: Actors.master(),
    });
  }

  /** The operator sets the bot's wholesale price (the parts not given are 0). */
  /** The operator lets the bot use a catalogue feature (feature_allowances), as `PUT /v1/admin/bots/{id}/features/{key}`. */
  async allowFeature(botId: string, key: string): Promise<void> {
    await this.get(BotAdminService).setFeatureAllowed(botId, key, true, Actors.master());
  }

  /** The operator allows Zarinpal and the tenant switches it on with this merchant id (as the REST API does). */
  async enableZarinpal(botId: string, merchantId: string, sandbox = false): Promise<void> {
    await this.allowFeature(botId, 'zarinpal');
    await this.get(FeaturesService).set(botId, 'zarinpal', true, { merchantId, sandbox }, Actors.tenantApi(botId));
  }

  async setWholesalePrice(botId: string, price: Partial<Omit<WholesalePriceView, 'updatedAt'>>): Promise<void> {
    await this.get(BotAdminService).setWholesalePrice(
      botId,
      { perPlanMinor: 0, perGbMinor: 0, perDayMinor: 0, unlimitedTrafficGb: 0, ...price },
      Actors.master(),
    );
  }

  /** The tenant sets the bot's Telegram admins (the owner stays one). */
  async setAdmins(botId: string, telegramIds: number[]): Promise<void> {
    await this.get(BotSettingsService).setAdmins(botId, telegramIds, Actors.tenantApi(botId));
  }

  /** Credits an end user's wallet through the user ledger. */
  async deposit(botId: string, userId: string, amountMinor: number): Promise<void> {
    await this.get(UserLedgerService).post(botId, {
      userId,
      type: 'deposit',
      amountMinor,
      idempotencyKey: `test:deposit:${randomBytes(8).toString('hex')}`,
    });
  }

  /** An end user as the bot records one on first contact. */
  async newUser(botId: string, options: NewUserOptions = {}): Promise<BotUser> {
    const language = options.language ?? 'en';
    return this.get(BotUsersService).touch(
      botId,
      {
        id: options.telegramId ?? nextTelegramId(),
        first_name: options.firstName ?? 'Test',
        username: options.username,
        language_code: language,
      },
      { languageForNewUser: language, startPayload: options.startPayload },
    );
  }

  /**
   * A ticket a customer opened in a bot with support tickets on (paused unless asked), whose owner and customer
   * have opened the bot (the Telegram emulator knows their chats): what a ticket's notices start from.
   */
  async newOpenTicket(options: NewOpenTicketOptions = {}): Promise<OpenTicket> {
    const bot = await this.newBot({ adminChatId: options.adminChatId, status: options.status ?? 'paused' });
    await this.get(FeaturesService).set(bot.id, 'support_tickets', true);
    const customer = await this.newUser(bot.id, { language: 'en' });
    for (const id of [bot.ownerTelegramId, customer.telegramId]) {
      this.telegram.sendText(bot.telegram.id, { from: { id, first_name: 'U' }, text: '/start' });
    }
    const { ticket, message } = await this.get(OpenTicketUseCase).execute({
      botId: bot.id,
      userId: customer.id,
      subject: options.subject ?? 'Down',
      content: { text: options.text ?? 'The VPN is down' },
    });
    return { bot, customer, ticket, message };
  }

  /** A plan made through the plans service, as the tenant's API does. */
  async newPlan(botId: string, input: Partial<PlanInput> = {}): Promise<PlanView> {
    return this.get(PlansService).create(
      botId,
      { name: { en: 'Test plan' }, ...DEFAULT_PLAN, ...input },
      Actors.tenantApi(botId),
      this.get(PanelAvailability),
    );
  }

  /** A payment card made through the cards service (a fresh Luhn-valid number unless given). */
  async newCard(botId: string, input: Partial<PaymentCardInput> = {}): Promise<PaymentCardView> {
    return this.get(PaymentCardsService).create(
      botId,
      { cardNumber: luhnCardNumber(), cardHolderName: 'Test Holder', ...input },
      Actors.tenantApi(botId),
    );
  }

  /** A VPN panel registered by the operator (credentials checked for the type, stored encrypted). */
  async newPanel(input: Omit<PanelInput, 'name'> & { name?: string }): Promise<PanelView> {
    return this.get(PanelsRegistryService).create(
      { name: `${input.type} ${randomBytes(3).toString('hex')}`, ...input },
      Actors.master(),
    );
  }

  /**
   * A pending order as the bot's "buy" button makes it: the wholesale cost held (the wallet topped up by exactly
   * what is missing, should it be short). A new user and a new plan unless given.
   */
  async newOrder(botId: string, options: NewOrderOptions = {}): Promise<PendingOrder> {
    const user = options.userId ? await this.get(TenantRepositories).users.findById(botId, options.userId) : null;
    const buyer = user
      ? { id: user.id, telegramId: Number(user.telegramId) }
      : await this.newUser(botId).then((u) => ({ id: u.id, telegramId: u.telegramId }));
    const planId = options.planId ?? (await this.newPlan(botId, options.plan)).id;
    const createOrder = this.get(CreateOrderUseCase);
    const input = {
      botId,
      userId: buyer.id,
      planId,
      idempotencyKey: `test:${randomBytes(8).toString('hex')}`,
      renewSubscriptionId: options.renewSubscriptionId,
    };
    let created;
    try {
      created = await createOrder.execute(input);
    } catch (err) {
      if (!DomainError.is(err, ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE)) throw err;
      const { freeMinor, requiredMinor } = err.details as { freeMinor: number; requiredMinor: number };
      await this.topUp(botId, requiredMinor - freeMinor);
      created = await createOrder.execute(input);
    }
    return { userId: buyer.id, telegramId: buyer.telegramId, planId, orderId: created.order.id, order: created.order };
  }

  /**
   * A card-to-card payment waiting for the admins' review: a pending order, a card from the rotation (one is
   * added when the bot has none), the user's photo receipt.
   */
  async newReceiptToReview(botId: string, options: NewOrderOptions = {}): Promise<ReceiptToReview> {
    const pending = await this.newOrder(botId, options);
    if (!(await this.get(PaymentCardsService).list(botId)).some((c) => c.isActive)) await this.newCard(botId);
    const { payment } = await this.get(StartCardPaymentUseCase).execute({
      botId,
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    const photo = options.receiptFileId ?? `receipt-${randomBytes(8).toString('hex')}`;
    await this.get(SubmitReceiptUseCase).execute({
      botId,
      userId: pending.userId,
      receipt: { kind: 'photo', fileId: photo, fileUniqueId: photo },
      trackingNumber: payment.trackingNumber,
    });
    return { ...pending, paymentId: payment.id };
  }

  /**
   * A paid order as the sale leaves it for provisioning: the purchase (order, wholesale hold), the payment
   * (wallet, or a card receipt the owner approves), the capture and the fulfilment's start (order `fulfilling`,
   * a `pending` subscription for a new one), the provisioning job queued after the commit.
   */
  async newPaidOrder(botId: string, options: NewPaidOrderOptions = {}): Promise<PaidOrder> {
    let orderId: string;
    let buyer: PendingOrder;
    if ((options.via ?? 'wallet') === 'wallet') {
      buyer = await this.newOrder(botId, options);
      orderId = buyer.orderId;
      if (buyer.order.amountMinor > 0) await this.deposit(botId, buyer.userId, buyer.order.amountMinor);
      await this.get(PayFromWalletUseCase).execute({ botId, orderId, by: { userId: buyer.userId } });
    } else {
      const receipt = await this.newReceiptToReview(botId, options);
      buyer = receipt;
      orderId = receipt.orderId;
      const owner = (await this.get(BotSettingsService).get(botId)).ownerTelegramId;
      await this.get(ApproveReceiptUseCase).execute({
        botId,
        paymentId: receipt.paymentId,
        actor: Actors.botAdmin(owner),
      });
    }
    const paid = (await this.get(TenantRepositories).orders.findById(botId, orderId))!;
    return {
      userId: buyer.userId,
      telegramId: buyer.telegramId,
      planId: buyer.planId,
      orderId,
      subscriptionId: paid.subscriptionId!,
      order: paid,
    };
  }
}
