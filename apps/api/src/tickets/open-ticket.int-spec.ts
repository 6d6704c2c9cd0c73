import { INestApplication, INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { FeaturesService } from '@botfleet/catalog';
import { JobName, JobPayloads, QueueName } from '@botfleet/jobs';
import { OpenTicketUseCase } from '@botfleet/support';
import { BotConversationModule, SupportNotifications } from '@botfleet/telegram';
import { buttonsOf, createModuleApp, TelegramEmulator, TestBot, TestContext, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(90_000);

type SupportJob = JobPayloads[JobName.SupportNotification];

/**
 * POST /v1/bots/{botId}/tickets, the shop opening a ticket to a customer, on the real API, PostgreSQL, Redis and the
 * Telegram emulator: the ticket takes the bot's next number, the customer gets the message in the bot once (the
 * job the API queued, run by the worker's ticket notices), a retry with the same Idempotency-Key opens nothing
 * more, and a customer of another bot, a customer with an open ticket or a bad body change nothing.
 */
describe('the shop opens a ticket to a customer (API in-process, real PostgreSQL/Redis, Telegram emulator)', () => {
  let world: WorkerWorld;
  let ctx: TestContext;
  let app: INestApplication;
  let notices: INestApplicationContext;
  let telegram: TelegramEmulator;
  let a: TestBot;
  let b: TestBot;
  const http = () => request(app.getHttpServer());
  const bearer = (bot: TestBot) => ({ Authorization: `Bearer ${bot.apiToken}` });
  const open = (bot: TestBot, body: object, key?: string) => {
    const req = http().post(`/v1/bots/${bot.id}/tickets`).set(bearer(bot));
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
  };

  /** A customer of the bot who has started it (Telegram lets the bot write to them). */
  const customerOf = async (bot: TestBot) => {
    const user = await ctx.newUser(bot.id, { language: 'en' });
    telegram.sendText(bot.telegram.id, { from: { id: user.telegramId, first_name: 'C' }, text: '/start' });
    return user;
  };
  /** What the bot sent the customer. */
  const told = (bot: TestBot, telegramId: number) =>
    telegram
      .getChatMessages(bot.telegram.id, telegramId)
      .filter((m) => m.direction === 'bot')
      .map((m) => m.text ?? '');
  /** The ticket notices the API queued so far, run as the worker runs them (each job id once, as BullMQ does). */
  const ran = new Set<string>();
  const runNotices = async () => {
    const queue = world.queue(QueueName.Notifications);
    const jobs = (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter(
      (j) => j.name === JobName.SupportNotification,
    );
    const fresh = jobs.filter((j) => !ran.has(j.id!));
    for (const job of fresh) {
      await notices.get(SupportNotifications).handle(job.data as SupportJob);
      ran.add(job.id!);
    }
    return jobs.map((j) => j.data as SupportJob);
  };
  /** What the shop sees: its tickets, the audit entries of tickets, the messages of each. */
  const stateOf = async (bot: TestBot) => {
    const list = await http().get(`/v1/bots/${bot.id}/tickets?pageSize=100`).set(bearer(bot)).expect(200);
    const audit = await http().get(`/v1/bots/${bot.id}/audit-log?pageSize=100`).set(bearer(bot)).expect(200);
    const tickets: { id: string; number: number; userId: string; status: string }[] = list.body.items;
    const messages: Record<string, string[]> = {};
    for (const t of tickets) {
      const detail = await http().get(`/v1/bots/${bot.id}/tickets/${t.id}`).set(bearer(bot)).expect(200);
      messages[t.id] = detail.body.messages.map((m: { text: string }) => m.text);
    }
    const audited = (audit.body.items as { action: string }[]).filter((e) => e.action.startsWith('ticket.')).length;
    return { tickets, messages, audited };
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ ctx, telegram } = world);
    app = world.worker;
    notices = await world.startWorker(() => createModuleApp({ imports: [BotConversationModule] }));
    a = await ctx.newBot({ name: 'Shop A' });
    b = await ctx.newBot({ name: 'Shop B' });
    for (const bot of [a, b]) await ctx.get(FeaturesService).set(bot.id, 'support_tickets', true);
  });

  afterAll(() => world?.close());

  it('opens the next numbered ticket, tells the customer once, and a retry with the same key opens nothing more', async () => {
    // A customer's own ticket first: the shop's is number 2 in this bot, and bot B numbers its own from 1.
    const first = await customerOf(a);
    await ctx.get(OpenTicketUseCase).execute({
      botId: a.id,
      userId: first.id,
      subject: 'Help',
      content: { text: 'It does not connect' },
    });
    const customer = await customerOf(a);
    const body = { userId: customer.id, subject: 'Your server', text: 'Your server moves tonight <b>at 2</b>' };
    const res = await open(a, body, 'open-ticket-1').expect(201);
    expect(res.body).toMatchObject({
      number: 2,
      userId: customer.id,
      subject: 'Your server',
      status: 'answered',
      customer: { id: customer.id, telegramId: customer.telegramId },
      messages: [{ sender: 'admin', author: `tenant_api:${a.id}`, text: body.text }],
    });
    const ofB = await customerOf(b);
    const inB = await open(b, { userId: ofB.id, subject: 'Hi', text: 'Welcome' }).expect(201);
    expect(inB.body.number).toBe(1);

    // The customer gets the message in the bot, once (escaped: the text is plain).
    const jobs = await runNotices();
    expect(jobs.filter((j) => j.ticketId === res.body.id)).toEqual([
      { botId: a.id, event: 'admin_reply', ticketId: res.body.id, messageId: res.body.messages[0].id },
    ]);
    const got = told(a, customer.telegramId).filter((t) => t.includes('Your server moves tonight'));
    expect(got).toHaveLength(1);
    expect(got[0]).toContain('#2');
    expect(got[0]).toContain('<b>at 2</b>'); // shown as typed: the emulator renders the HTML the bot sent
    const before = await stateOf(a);
    expect(before.audited).toBe(1);

    // The same key again (a retry): the same ticket, one message, nothing sent again.
    const again = await open(a, body, 'open-ticket-1').expect(201);
    expect(again.body.id).toBe(res.body.id);
    expect(again.body.messages).toHaveLength(1);
    await runNotices();
    expect(await stateOf(a)).toEqual(before);
    expect(told(a, customer.telegramId).filter((t) => t.includes('Your server moves tonight'))).toHaveLength(1);
    // The key with another customer is refused; and after the ticket is closed, the key still names it.
    const other = await customerOf(a);
    const reused = await open(a, { ...body, userId: other.id }, 'open-ticket-1').expect(409);
    expect(reused.body.error.code).toBe('CONFLICT');
    await http().post(`/v1/bots/${a.id}/tickets/${res.body.id}/close`).set(bearer(a)).expect(200);
    expect((await open(a, body, 'open-ticket-1').expect(201)).body).toMatchObject({
      id: res.body.id,
      status: 'closed',
    });

    // Retries racing the first attempt: one ticket, one message, every answer names it.
    const racer = await customerOf(a);
    const raced = await Promise.all(
      Array.from({ length: 5 }, () => open(a, { userId: racer.id, subject: 'Race', text: 'Only once' }, 'race-1')),
    );
    expect(raced.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(raced.map((r) => r.body.id)).size).toBe(1);
    expect(raced.every((r) => r.body.messages.length === 1)).toBe(true);
    await runNotices();
    expect(told(a, racer.telegramId).filter((t) => t.includes('Only once'))).toHaveLength(1);

    // Without a key, a customer who has a ticket that is not closed gets no second one.
    const busy = await open(a, { userId: first.id, subject: 'More', text: 'Hello' }).expect(409);
    expect(busy.body.error).toMatchObject({ code: 'CONFLICT', details: { ticketNumber: 1 } });
  });

  it('a ticket the shop opens reaches the customer once as support writing to them; its later answers say answered', async () => {
    const customer = await customerOf(b);
    const body = { userId: customer.id, subject: 'Plan change', text: 'We moved you to the <i>new</i> plan' };
    const res = await open(b, body).expect(201);
    await runNotices();
    const bot = () => telegram.getChatMessages(b.telegram.id, customer.telegramId).filter((m) => m.direction === 'bot');
    const opening = bot().filter((m) => (m.text ?? '').includes('We moved you'));
    expect(opening).toHaveLength(1);
    expect(opening[0].text).toContain(`wrote to you (ticket #${res.body.number}: Plan change)`);
    expect(opening[0].text).toContain('Reply to continue.');
    expect(opening[0].text).not.toContain('answered your ticket');
    expect(buttonsOf(opening[0]).map((x) => x.text)).toEqual(['✍️ Reply', '✔️ Close the ticket']);

    // The shop's next message on that ticket is an answer, as on any ticket.
    await http()
      .post(`/v1/bots/${b.id}/tickets/${res.body.id}/messages`)
      .set(bearer(b))
      .send({ text: 'Your config is updated' })
      .expect(201);
    await runNotices();
    const answer = bot().filter((m) => (m.text ?? '').includes('Your config is updated'));
    expect(answer).toHaveLength(1);
    expect(answer[0].text).toContain(`answered your ticket #${res.body.number}`);
    expect(answer[0].text).not.toContain('wrote to you');
    expect(bot().filter((m) => (m.text ?? '').includes('We moved you'))).toHaveLength(1);

    // A customer's own ticket answered by the shop: answered, never the opening.
    const asker = await customerOf(b);
    const own = await ctx.get(OpenTicketUseCase).execute({
      botId: b.id,
      userId: asker.id,
      subject: 'Slow',
      content: { text: 'It is slow' },
    });
    await http()
      .post(`/v1/bots/${b.id}/tickets/${own.ticket.id}/messages`)
      .set(bearer(b))
      .send({ text: 'Try the other server' })
      .expect(201);
    await runNotices();
    const toAsker = told(b, asker.telegramId).filter((t) => t.includes('Try the other server'));
    expect(toAsker).toHaveLength(1);
    expect(toAsker[0]).toContain('answered your ticket');
  });

  it("another bot's customer is 404 and a bad body is 400, and neither changes anything", async () => {
    const theirs = await customerOf(b);
    const ours = await customerOf(a);
    const [beforeA, beforeB] = [await stateOf(a), await stateOf(b)];
    const jobsBefore = (await runNotices()).length;

    for (const key of [undefined, 'cross-bot-1']) {
      const res = await open(a, { userId: theirs.id, subject: 'Hi', text: 'Not yours' }, key);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    }
    // Under B's path with A's token: the bot is not A's.
    await http()
      .post(`/v1/bots/${b.id}/tickets`)
      .set(bearer(a))
      .send({ userId: theirs.id, subject: 'Hi', text: 'Not yours' })
      .expect(404);

    const good = { userId: ours.id, subject: 'Hi', text: 'Hello' };
    const bad: [string, object, string?][] = [
      ['no userId', { subject: 'Hi', text: 'Hello' }],
      ['userId not a uuid', { ...good, userId: '42' }],
      ['no text', { userId: ours.id, subject: 'Hi' }],
      ['empty text', { ...good, text: '' }],
      ['blank text', { ...good, text: '   ' }],
      ['text too long', { ...good, text: 'x'.repeat(4001) }],
      ['text not a string', { ...good, text: 42 }],
      ['no subject', { userId: ours.id, text: 'Hello' }],
      ['subject too long', { ...good, subject: 's'.repeat(201) }],
      ['unknown field', { ...good, status: 'closed' }],
      ['bad Idempotency-Key', good, 'bad key with spaces'],
    ];
    for (const [why, body, key] of bad) {
      const res = await open(a, body, key);
      expect({ why, status: res.status, code: res.body.error?.code }).toEqual({
        why,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    expect(await stateOf(a)).toEqual(beforeA);
    expect(await stateOf(b)).toEqual(beforeB);
    expect((await runNotices()).length).toBe(jobsBefore);
    expect(told(a, ours.telegramId).filter((t) => t.includes('Hello'))).toEqual([]);
  });
});
