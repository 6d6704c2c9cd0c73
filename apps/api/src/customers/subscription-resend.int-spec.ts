import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import request from 'supertest';
import { ConsoleLinksService } from '@botfleet/bots';
import { ErrorCode } from '@botfleet/common';
import { JobName, QueueName } from '@botfleet/jobs';
import { ProvisioningPanelDirectory } from '@botfleet/operator';
import {
  PANEL_DIRECTORY,
  PROVISIONING_OUTCOMES,
  ProvisioningOutcomesPort,
  ProvisioningService,
} from '@botfleet/provisioning';
import { FulfilmentService, SalesModule } from '@botfleet/sales';
import { BotConversationModule, SubscriptionDeliveryService } from '@botfleet/telegram';
import { createModuleApp, sessionCookie, TestBot, TestContext, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(120_000);

const ADMIN = 882_100_001;
const SUPPORT = 882_100_002;

/**
 * POST …/subscriptions/{id}/resend, the console's "Resend link" (the use case behind the bot's /admin button), on
 * the real API, PostgreSQL, Redis, a Remnawave emulator and the Telegram emulator. The DeliverSubscription jobs the
 * API queues are run here by the production SubscriptionDeliveryService (the worker's handler calls the same).
 */
describe('resending a subscription link (API in-process, real PostgreSQL/Redis, Telegram emulator)', () => {
  let world: WorkerWorld;
  let ctx: TestContext;
  let app: INestApplication;
  let provisioning: ProvisioningService;
  let delivery: SubscriptionDeliveryService;
  let links: ConsoleLinksService;
  let notices: Queue;
  let ip = 0;
  const http = () => request(app.getHttpServer());
  const bearer = (bot: TestBot) => ({ Authorization: `Bearer ${bot.apiToken}` });

  /** Runs the deliveries queued for the bot, as the worker's DeliverSubscription handler does; how many. */
  const runDeliveries = async (botId: string) => {
    const jobs = (await notices.getJobs(['waiting', 'delayed', 'prioritized', 'paused'])).filter(
      (j) => j.name === JobName.DeliverSubscription && j.data.botId === botId,
    );
    for (const job of jobs) {
      const { subscriptionId, orderId, resend } = job.data;
      await delivery.deliver(botId, subscriptionId, orderId, resend);
      // A retried job sends nothing again.
      await delivery.deliver(botId, subscriptionId, orderId, resend);
      await job.remove();
    }
    return jobs.length;
  };
  /** The subscription links the customer's chat holds (captions of the QR code photos the bot sent). */
  const linksSentTo = (bot: TestBot, telegramId: number, url: string) =>
    world.telegram
      .getChatMessages(bot.telegram.id, telegramId)
      .filter((m) => m.direction === 'bot' && `${m.caption ?? ''}${m.text ?? ''}`.includes(url)).length;

  const signIn = async (botId: string, telegramId: number) => {
    const { code } = await links.issueForAdmin(botId, telegramId);
    const res = await http().post('/v1/sessions').set('X-Forwarded-For', `10.78.0.${++ip}`).send({ code }).expect(201);
    return { Cookie: sessionCookie(res), 'X-CSRF-Token': res.body.csrfToken as string };
  };

  /** A shop with one customer whose paid subscription is active on the panel (the link not sent by anyone yet). */
  const shopWithActiveSubscription = async () => {
    const bot = await ctx.newBot({ walletMinor: 1_000_000 });
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 1000, perGbMinor: 100 });
    const paid = await ctx.newPaidOrder(bot.id, { plan: { priceMinor: 50_000, trafficLimitGb: 10 } });
    await provisioning.provision(bot.id, paid.subscriptionId, paid.orderId);
    const sub = await world.subscription(paid.subscriptionId);
    expect(sub.status).toBe('active');
    await runDeliveries(bot.id);
    expect(linksSentTo(bot, paid.telegramId, sub.subscription_url!)).toBe(0);
    return { bot, paid, url: sub.subscription_url! };
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({ panels: ['remnawave'], createWorker: createApiApp });
    ctx = world.ctx;
    app = world.worker;
    links = app.get(ConsoleLinksService, { strict: false });
    const outcomes = (f: FulfilmentService): ProvisioningOutcomesPort => ({
      succeeded: async (botId, _sub, orderId) => {
        if (orderId) await f.succeeded(botId, orderId);
      },
      failed: async (botId, _sub, orderId, reason) => {
        if (orderId) await f.failed(botId, orderId, reason);
      },
    });
    const panelWork: INestApplicationContext = await world.startWorker(() =>
      createModuleApp({
        imports: [SalesModule],
        providers: [
          ProvisioningService,
          { provide: PANEL_DIRECTORY, useClass: ProvisioningPanelDirectory },
          { provide: PROVISIONING_OUTCOMES, useFactory: outcomes, inject: [FulfilmentService] },
        ],
      }),
    );
    provisioning = panelWork.get(ProvisioningService);
    const bots = await world.startWorker(() => createModuleApp({ imports: [BotConversationModule] }));
    delivery = bots.get(SubscriptionDeliveryService);
    notices = world.queue(QueueName.Notifications);
    await world.newRemnawavePanel();
  });

  afterAll(() => world?.close());

  it('the customer gets their link again, once; another bot’s subscription is 404, a pending one 409', async () => {
    const a = await shopWithActiveSubscription();
    const b = await shopWithActiveSubscription();

    const res = await http()
      .post(`/v1/bots/${a.bot.id}/subscriptions/${a.paid.subscriptionId}/resend`)
      .set(bearer(a.bot))
      .expect(202);
    expect(res.body).toMatchObject({
      delivery: 'queued',
      subscription: { id: a.paid.subscriptionId, status: 'active', subscriptionUrl: a.url },
    });
    expect(await runDeliveries(a.bot.id)).toBe(1);
    expect(linksSentTo(a.bot, a.paid.telegramId, a.url)).toBe(1);

    // Shop A naming shop B's subscription: not found, and B's customer hears nothing.
    const foreign = await http()
      .post(`/v1/bots/${a.bot.id}/subscriptions/${b.paid.subscriptionId}/resend`)
      .set(bearer(a.bot))
      .expect(404);
    expect(foreign.body.error.code).toBe(ErrorCode.NOT_FOUND);
    expect(await runDeliveries(b.bot.id)).toBe(0);
    expect(linksSentTo(b.bot, b.paid.telegramId, b.url)).toBe(0);

    // Paid but not yet made on the panel: no link to send.
    const pending = await ctx.newPaidOrder(a.bot.id);
    const conflict = await http()
      .post(`/v1/bots/${a.bot.id}/subscriptions/${pending.subscriptionId}/resend`)
      .set(bearer(a.bot))
      .expect(409);
    expect(conflict.body.error.code).toBe(ErrorCode.CONFLICT);
    expect(await runDeliveries(a.bot.id)).toBe(0);
    expect(linksSentTo(a.bot, a.paid.telegramId, a.url)).toBe(1);
  });

  it('as the bot’s /admin button: an admin’s console session may resend, a support session may not', async () => {
    const a = await shopWithActiveSubscription();
    await http()
      .put(`/v1/bots/${a.bot.id}/admins`)
      .set(bearer(a.bot))
      .send({
        admins: [
          { telegramId: ADMIN, role: 'admin' },
          { telegramId: SUPPORT, role: 'support' },
        ],
      })
      .expect(200);
    const path = `/v1/bots/${a.bot.id}/subscriptions/${a.paid.subscriptionId}/resend`;
    const refused = await http()
      .post(path)
      .set(await signIn(a.bot.id, SUPPORT))
      .expect(403);
    expect(refused.body.error.code).toBe(ErrorCode.FORBIDDEN);
    expect(await runDeliveries(a.bot.id)).toBe(0);

    await http()
      .post(path)
      .set(await signIn(a.bot.id, ADMIN))
      .expect(202);
    expect(await runDeliveries(a.bot.id)).toBe(1);
    expect(linksSentTo(a.bot, a.paid.telegramId, a.url)).toBe(1);
  });
});
