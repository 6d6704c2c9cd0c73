import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import request from 'supertest';
import {
  applyEnv,
  createTestEnv,
  spawnWorker,
  TelegramEmulator,
  testRedisUrl,
  TestEnv,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { BotChat, has, QUICK_BOT_LEASES, textOf, withButton } from './support/bot-chat';
import { joinWithInvite } from './support/public-api';

const ADMIN_CHAT = -1001555000111;
const OTHER_ADMIN_CHAT = -1001555000222;

/**
 * Support tickets end to end: a real worker process hosts two shops' bots against the Telegram emulator, the
 * API runs in this process, and every step is what a customer, an admin in the admin chat or the tenant's
 * REST client does.
 */
describe('support tickets: the customer, the admin chat and the tenant API hold one conversation', () => {
  jest.setTimeout(120_000);
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let worker: WorkerProcess;
  let app: INestApplication;
  let restore: () => void;
  let tg: { id: number; token: string; username: string };
  let otherTg: { id: number; token: string; username: string };
  let shop: { id: string; token: string };
  let other: { id: string; token: string };
  /** The first test's ticket: the second checks that the replies of strangers never joined it. */
  let firstTicketId: string;
  const owner = { id: 910_001, first_name: 'Owner', language_code: 'en' };
  const agent = { id: 910_002, first_name: 'Agent', language_code: 'en' };
  const otherOwner = { id: 910_101, first_name: 'Rival', language_code: 'en' };
  const customer = { id: 920_001, first_name: 'Sara <b>', last_name: 'K', username: 'sara_k', language_code: 'en' };
  const group = { id: ADMIN_CHAT, type: 'supergroup' as const, title: 'Shop admins' };

  const http = () => request(app.getHttpServer());
  const as = (token: string, method: 'get' | 'post' | 'put', path: string) =>
    http()[method](path).set('Authorization', `Bearer ${token}`);
  const chatOf = (who: { id: number; first_name: string }) => new BotChat(emu, tg, who, { timeoutMs: 20_000 });
  /** The shop's admin chat, as the support agent acts in it (`.as(someone)` for anyone else there). */
  const adminChat = () => new BotChat(emu, tg, agent, { group, timeoutMs: 20_000 });

  const register = async (bot: { token: string }, ownerId: number, adminChatId: number) => {
    const { botId: id, apiToken: token } = await joinWithInvite(http, env.masterToken, {
      name: 'Support shop',
      telegramBotToken: bot.token,
      ownerTelegramId: ownerId,
      defaultLanguage: 'en',
      adminChatId,
    });
    const joined = { id, token };
    await as(joined.token, 'put', `/v1/bots/${joined.id}/features/support_tickets`)
      .send({ enabled: true, config: { messagesPerMinute: 20, ticketsPerDay: 1 } })
      .expect(200);
    return joined;
  };

  beforeAll(async () => {
    const url = await emu.listen(0);
    env = await createTestEnv({ TELEGRAM_API_ROOT: url, ...QUICK_BOT_LEASES, BOT_POLL_TIMEOUT_S: '2' });
    restore = applyEnv({ ...env.vars, LOG_LEVEL: 'silent' });
    app = await createApiApp();
    await app.init();
    tg = emu.createBot();
    otherTg = emu.createBot();
    shop = await register(tg, owner.id, ADMIN_CHAT);
    other = await register(otherTg, otherOwner.id, OTHER_ADMIN_CHAT);
    // The owner gives a support agent the "support" role: tickets and nothing else.
    await as(shop.token, 'put', `/v1/bots/${shop.id}/admins`)
      .send({ admins: [{ telegramId: agent.id, role: 'support' }] })
      .expect(200);
    worker = await spawnWorker(env.vars);
    await emu.waitForPolling(tg.id, 15_000);
    await emu.waitForPolling(otherTg.id, 15_000);
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    restore?.();
    await emu.close();
    await env?.cleanup();
  });

  it('opens with a photo, is answered in the admin chat and over REST, joins follow-ups, and is closed by the customer', async () => {
    const sara = chatOf(customer);
    const admins = adminChat();
    // The customer opens a ticket from /support: subject, then a photo with a caption.
    const home = await sara.send('/support', withButton('tk:o'));
    sara.press(home, 'tk:o');
    await sara.message(has('Send a short subject'));
    sara.say('VPN <b>slow</b> & "broken"');
    await sara.message(has('describe the problem'));
    const photo = sara.sendPhoto({ caption: 'Speed test attached' });
    await sara.message(has('Ticket #1 is open'));

    // The admin chat gets the customer's card, then the photo under it.
    const card = await admins.message((m) => has('Ticket #1')(m) && withButton('tk:k:')(m));
    const shown = textOf(card);
    expect(shown).toContain('VPN <b>slow</b> & "broken"');
    expect(shown).toContain('Sara <b> K');
    expect(shown).toContain('@sara_k');
    expect(shown).toContain(String(customer.id));
    expect(shown).toContain('Subscriptions');
    expect(shown).toContain('Last orders');
    expect(shown).toContain('Speed test attached');
    const posted = await admins.message((m) => m.method === 'sendPhoto' && has('Ticket #1')(m));
    expect(posted.photoFileId).toBe(photo.fileIds[photo.fileIds.length - 1]);
    expect(posted.replyToMessageId).toBe(card.messageId);

    // Someone in the chat who is no admin replies: nothing happens.
    const bystander = { id: 930_001, first_name: 'Bystander' };
    const before = sara.lastId();
    admins.as(bystander).say('me too', card.messageId);
    // The support agent answers by replying to the card.
    admins.say('Please reconnect <now>', card.messageId);
    const answer = await sara.next(before, has('Support answered your ticket #1'));
    expect(textOf(answer)).toContain('Please reconnect <now>');
    expect(textOf(answer)).not.toContain('me too');
    await admins.message(has('Sent to the customer (#1)'));

    // A follow-up: a plain message is offered to the open ticket, and joins it.
    const offer = await sara.send('Still slow after reconnecting', withButton('tk:a:'));
    sara.press(offer, 'tk:a:');
    await sara.next(offer.messageId, has('Added to ticket #1'));
    const followUp = await admins.message(has('Still slow after reconnecting'));
    expect(followUp.replyToMessageId).toBe(card.messageId);

    // The tenant reads it over REST and answers there; the customer gets it, the admin chat sees it.
    const list = await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets?status=open`).expect(200);
    expect(list.body.total).toBe(1);
    const ticketId: string = list.body.items[0].id;
    firstTicketId = ticketId;
    expect(list.body.items[0]).toMatchObject({ number: 1, status: 'open', subject: 'VPN <b>slow</b> & "broken"' });
    const detail = await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets/${ticketId}`).expect(200);
    expect(detail.body.customer).toMatchObject({ telegramId: customer.id, username: 'sara_k' });
    expect(
      detail.body.messages.map((m: { sender: string; text: string; hasPhoto: boolean }) => [
        m.sender,
        m.text,
        m.hasPhoto,
      ]),
    ).toEqual([
      ['user', 'Speed test attached', true],
      ['admin', 'Please reconnect <now>', false],
      ['user', 'Still slow after reconnecting', false],
    ]);
    const beforeRest = sara.lastId();
    const sent = await as(shop.token, 'post', `/v1/bots/${shop.id}/tickets/${ticketId}/messages`)
      .send({ text: 'We moved you to a faster server' })
      .expect(201);
    expect(sent.body).toMatchObject({
      sender: 'admin',
      author: `tenant_api:${shop.id}`,
      text: 'We moved you to a faster server',
    });
    const restAnswer = await sara.next(beforeRest, has('We moved you to a faster server'));
    await admins.message((m) => has('Answered over the API')(m) && has('faster server')(m));
    const answered = await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets/${ticketId}/messages`).expect(200);
    expect(answered.body.total).toBe(4);
    expect((await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets/${ticketId}`).expect(200)).body.status).toBe(
      'answered',
    );

    // Another shop (its token, its bot, its admin chat) cannot see or answer it.
    await as(other.token, 'get', `/v1/bots/${shop.id}/tickets`).expect(404);
    await as(other.token, 'get', `/v1/bots/${other.id}/tickets/${ticketId}`).expect(404);
    await as(other.token, 'get', `/v1/bots/${other.id}/tickets/${ticketId}/messages`).expect(404);
    await as(other.token, 'post', `/v1/bots/${other.id}/tickets/${ticketId}/messages`).send({ text: 'x' }).expect(404);
    await as(other.token, 'post', `/v1/bots/${other.id}/tickets/${ticketId}/close`).expect(404);
    expect((await as(other.token, 'get', `/v1/bots/${other.id}/tickets`).expect(200)).body.total).toBe(0);
    // The other shop's owner replying to this shop's card (they are not its admin) changes nothing.
    admins.as(otherOwner).say('hijack', card.messageId);
    // Bad input is refused and changes nothing.
    await as(shop.token, 'post', `/v1/bots/${shop.id}/tickets/${ticketId}/messages`).send({ text: '' }).expect(400);
    await as(shop.token, 'post', `/v1/bots/${shop.id}/tickets/${ticketId}/messages`)
      .send({ text: 'x'.repeat(4001) })
      .expect(400);
    await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets?status=pending`).expect(400);
    // A malformed id is a 400 naming it, never a lookup.
    await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets/not-a-uuid`).expect(400);

    // The customer closes it from the answer's button; the admins are told; nothing more can be added.
    sara.press(restAnswer, 'tk:c:');
    await sara.next(restAnswer.messageId, has('Ticket #1 is closed'));
    await admins.message(has('Ticket #1 was closed by the customer'));
    const closed = (await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets/${ticketId}`).expect(200)).body;
    expect(closed).toMatchObject({ status: 'closed', closedBy: expect.stringMatching(/^user:/) });
    // Only the four messages: the bystander's and the rival's replies were conversation, not answers.
    expect(closed.messages).toHaveLength(4);
    await as(shop.token, 'post', `/v1/bots/${shop.id}/tickets/${ticketId}/messages`).send({ text: 'late' }).expect(409);
    await as(shop.token, 'post', `/v1/bots/${shop.id}/tickets/${ticketId}/close`).expect(409);

    // Spam limit: one new ticket a day for this shop's customers; the second is refused, nothing is written.
    const again = await sara.send('/support', withButton('tk:o'));
    sara.press(again, 'tk:o');
    await sara.next(again.messageId, has('Send a short subject'));
    sara.say('Another question');
    await sara.next(again.messageId, has('describe the problem'));
    sara.say('spam spam');
    await sara.next(again.messageId, has('too fast'));
    expect((await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets`).expect(200)).body.total).toBe(1);
  });

  it('lets an admin close a ticket from the admin chat, and tells the customer', async () => {
    const buyer = { id: 920_002, first_name: 'Reza', language_code: 'en' };
    const reza = chatOf(buyer);
    const admins = adminChat();
    const home = await reza.send('/support', withButton('tk:o'));
    reza.press(home, 'tk:o');
    await reza.message(has('Send a short subject'));
    reza.say('Refund');
    await reza.message(has('describe the problem'));
    reza.say('I want my money back');
    await reza.message(has('Ticket #2 is open'));
    const card = await admins.message((m) => has('Ticket #2')(m) && withButton('tk:k:')(m));
    // My tickets → the ticket → Reply: the next message joins it.
    const menu = await reza.send('/support', withButton('tk:l'));
    reza.press(menu, 'tk:l');
    const mine = await reza.edited(menu.messageId, withButton('tk:v:'));
    expect(textOf(mine)).toContain('#2');
    reza.press(mine, 'tk:v:');
    const view = await reza.edited(menu.messageId, (m) => has('I want my money back')(m) && withButton('tk:r:')(m));
    reza.press(view, 'tk:r:');
    await reza.next(view.messageId, has('Write your message for ticket #2'));
    reza.say('Order from yesterday');
    await reza.next(view.messageId, has('Added to ticket #2'));
    await admins.message(has('Order from yesterday'));
    // A bystander's press is refused; the owner's closes it.
    const bystander = { id: 930_002, first_name: 'Nobody' };
    admins.as(bystander).press(card, 'tk:k:');
    await waitFor(
      () => emu.getCallbackAnswers(tg.id).some((a) => (a.text ?? '').includes('Only the bot admins')),
      15_000,
    );
    admins.as(owner).press(card, 'tk:k:');
    await reza.message(has('Support closed your ticket #2'));
    await admins.message(has('Ticket #2 was closed by admin 910001'));
    const list = await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets?status=closed`).expect(200);
    expect(list.body.items.map((t: { number: number }) => t.number).sort()).toEqual([1, 2]);
    // The admin chat's updates are handled in order: the rival's "hijack" reply (before this close) joined nothing.
    const first = await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets/${firstTicketId}/messages`).expect(200);
    expect(first.body.items.map((m: { text: string }) => m.text)).not.toContain('hijack');
    expect(first.body.total).toBe(4);
  });

  it('answers over REST once per Idempotency-Key: after Redis forgot the key, and when the retries race', async () => {
    const buyer = { id: 920_003, first_name: 'Mina', language_code: 'en' };
    const mina = chatOf(buyer);
    const home = await mina.send('/support', withButton('tk:o'));
    mina.press(home, 'tk:o');
    await mina.message(has('Send a short subject'));
    mina.say('Billing');
    await mina.message(has('describe the problem'));
    mina.say('Charged twice');
    await mina.message(has('is open'));
    const open = await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets?status=open`).expect(200);
    const ticketId: string = open.body.items.find((t: { subject: string }) => t.subject === 'Billing').id;
    const answer = (text: string, key: string) =>
      as(shop.token, 'post', `/v1/bots/${shop.id}/tickets/${ticketId}/messages`)
        .set('Idempotency-Key', key)
        .send({ text });
    const told = (text: string) => mina.messages().filter((m) => textOf(m).includes(text));

    const first = await answer('Refund is on its way', 'reply-1').expect(201);
    await mina.message(has('Refund is on its way'));
    // Redis forgets (a flush, a failover without persistence, the key's day is over); the client retries.
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    try {
      for (const k of await redis.keys(`${env.redisPrefix}*:support:reply:*`)) await redis.del(k);
    } finally {
      redis.disconnect();
    }
    const retried = await answer('Refund is on its way', 'reply-1').expect(201);
    expect(retried.body).toEqual(first.body);
    // Three retries of another answer at once: one answer.
    const raced = await Promise.all([1, 2, 3].map(() => answer('Done, check your bank', 'reply-2')));
    expect(raced.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(raced.map((r) => r.body.id)).size).toBe(1);
    // A last answer, queued after the retries, arrives: whatever they could have sent has been sent by then.
    await answer('Anything else?', 'reply-3').expect(201);
    await mina.message(has('Anything else?'));
    await waitFor(() => told('Done, check your bank').length > 0, 15_000);
    expect([told('Refund is on its way').length, told('Done, check your bank').length]).toEqual([1, 1]);
    const messages = await as(shop.token, 'get', `/v1/bots/${shop.id}/tickets/${ticketId}/messages`).expect(200);
    expect(messages.body.items.map((m: { sender: string; text: string }) => [m.sender, m.text])).toEqual([
      ['user', 'Charged twice'],
      ['admin', 'Refund is on its way'],
      ['admin', 'Done, check your bank'],
      ['admin', 'Anything else?'],
    ]);
  });
});
