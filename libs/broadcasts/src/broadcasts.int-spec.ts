import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { JobName, JobQueue, jobIdFor, QueueName } from '@botfleet/jobs';
import { RemnawaveEmulator, TestBot, TestContext } from '@botfleet/testing';
import { BotUsersService } from '@botfleet/users';
import { BroadcastRunsService } from './broadcast-runs.service';
import { BroadcastDraftInput, BroadcastsService } from './broadcasts.service';

/** The broadcast domain against real PostgreSQL and Redis: drafts, the preview gate, the audience, claims. */
describe('BroadcastsService and BroadcastRunsService (real PostgreSQL, Redis)', () => {
  let ctx: TestContext;
  let platform: DataSource;
  let rw: RemnawaveEmulator;
  let service: BroadcastsService;
  let runs: BroadcastRunsService;

  const draft = (over: Partial<BroadcastDraftInput> = {}): BroadcastDraftInput => ({
    text: '<b>News</b> &amp; offers',
    audience: { segment: 'all' },
    ...over,
  });

  beforeAll(async () => {
    ctx = await TestContext.create({ jobs: 'detached' });
    platform = await ctx.env.db.platform();
    rw = new RemnawaveEmulator({ apiKey: 'bc-key' });
    await rw.start();
    service = ctx.get(BroadcastsService);
    runs = ctx.get(BroadcastRunsService);
  });

  afterAll(async () => {
    await rw?.stop();
    await ctx?.close();
  });

  async function expectRefused(work: Promise<unknown>, code: ErrorCode, field?: string): Promise<void> {
    const err = await work.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(code);
    if (field) expect(JSON.stringify((err as DomainError).details)).toContain(`"field":"${field}"`);
  }

  /** The preview as the worker confirms it. */
  async function previewed(botId: string, id: string): Promise<void> {
    const b = (await runs.find(botId, id))!;
    expect(await runs.previewed(botId, id, b.revision)).toBe(true);
  }

  async function started(bot: TestBot, input: BroadcastDraftInput = draft()) {
    const actor = Actors.tenantApi(bot.id);
    const v = await service.create(bot.id, input, actor);
    await previewed(bot.id, v.broadcast.id);
    return service.start(bot.id, v.broadcast.id, actor);
  }

  it('refuses content Telegram would refuse, naming the field, and writes nothing', async () => {
    const bot = await ctx.newBot();
    const actor = Actors.tenantApi(bot.id);
    const bad: [Partial<BroadcastDraftInput>, string][] = [
      [{ text: '<b>unclosed' }, 'text'],
      [{ text: '<script>x</script>' }, 'text'],
      [{ text: 'a < b' }, 'text'],
      [{ text: 'fish & chips' }, 'text'],
      [{ text: '<a href="javascript:alert(1)">x</a>' }, 'text'],
      [{ text: '<b></b>' }, 'text'],
      [{ text: 'nul\u0000byte' }, 'text'],
      [{ text: 'lone \uD800 surrogate' }, 'text'],
      [{ text: 'x'.repeat(1_025), photo: 'https://example.com/a.png' }, 'text'],
      [{ photo: 'not a photo!' }, 'photo'],
      [{ buttons: [{ text: 'Go', url: 'ftp://example.com' }] }, 'buttons.0.url'],
      [{ buttons: [{ text: '', url: 'https://example.com' }] }, 'buttons.0.text'],
      [{ previewTelegramId: 999_999_991 }, 'previewTelegramId'],
    ];
    for (const [over, field] of bad) {
      await expectRefused(service.create(bot.id, draft(over), actor), ErrorCode.VALIDATION_FAILED, field);
    }
    expect((await service.list(bot.id, 1, 20)).total).toBe(0);
  });

  it('creates a draft and queues its preview for the owner (or the admin named); a draft starts only once previewed', async () => {
    const bot = await ctx.newBot();
    await ctx.setAdmins(bot.id, [bot.ownerTelegramId, 5_550_001]);
    const actor = Actors.tenantApi(bot.id);
    const v = await service.create(
      bot.id,
      draft({
        text: '<b>Sale</b> <a href="https://example.com/?a=1&amp;b=2">now</a> <tg-spoiler>!</tg-spoiler>',
        photo: 'AgACAgQAAxkBAAIBQ2V0',
        buttons: [{ text: 'Shop', url: 'https://example.com/shop' }],
      }),
      actor,
    );
    expect(v.broadcast).toMatchObject({ status: 'draft', previewTelegramId: bot.ownerTelegramId, previewedAt: null });
    const queue = ctx.get(JobQueue).queue(QueueName.Broadcasts);
    expect(await queue.getJob(jobIdFor(JobName.BroadcastPreview, [v.broadcast.id, 0]))).toBeTruthy();

    await expectRefused(service.start(bot.id, v.broadcast.id, actor), ErrorCode.CONFLICT);
    // An edit after the preview was sent makes that preview void: the next one must arrive first.
    const edited = await service.update(bot.id, v.broadcast.id, { previewTelegramId: 5_550_001 }, actor);
    expect(edited.broadcast).toMatchObject({ revision: 1, previewTelegramId: 5_550_001 });
    expect(await runs.previewed(bot.id, v.broadcast.id, 0)).toBe(false);
    await expectRefused(service.start(bot.id, v.broadcast.id, actor), ErrorCode.CONFLICT);
    expect(await runs.previewed(bot.id, v.broadcast.id, 1)).toBe(true);
    const s = await service.start(bot.id, v.broadcast.id, actor);
    expect(s.broadcast.status).toBe('running');
    expect(await queue.getJob(jobIdFor(JobName.SendBroadcast, [v.broadcast.id, 0]))).toBeTruthy();
    // Only once, and a running broadcast is no draft to edit.
    await expectRefused(service.start(bot.id, v.broadcast.id, actor), ErrorCode.CONFLICT);
    await expectRefused(service.update(bot.id, v.broadcast.id, { text: 'x' }, actor), ErrorCode.CONFLICT);
  });

  it('writes the audience at start: all, active, expired, never bought, by language; never users who blocked the bot', async () => {
    const bot = await ctx.newBot({ walletMinor: 10_000_000 });
    const panel = await ctx.newPanel({ type: 'remnawave', baseUrl: rw.url, credentials: { apiKey: 'bc-key' } });
    const plan = { panelId: panel.id };
    const active = await ctx.newPaidOrder(bot.id, { via: 'wallet', plan });
    const expired = await ctx.newPaidOrder(bot.id, { via: 'wallet', plan });
    // The panel step and an end in the past are not what this test is about: the subscriptions' states by hand.
    await platform.query(`UPDATE subscriptions SET status = 'active' WHERE id = $1`, [active.subscriptionId]);
    await platform.query(`UPDATE subscriptions SET status = 'expired' WHERE id = $1`, [expired.subscriptionId]);
    const fa = await ctx.newUser(bot.id, { language: 'fa' });
    const ru = await ctx.newUser(bot.id, { language: 'ru' });
    const gone = await ctx.newUser(bot.id, { language: 'ru' });
    // As the Messenger marks a user whose send came back "blocked by the user".
    await ctx.get(BotUsersService).markBotBlocked(bot.id, gone.telegramId);

    const recipients = async (audience: BroadcastDraftInput['audience']) => {
      const s = await started(bot, draft({ audience }));
      const rows: { user_id: string }[] = await platform.query(
        `SELECT user_id FROM broadcast_deliveries WHERE broadcast_id = $1 ORDER BY user_id`,
        [s.broadcast.id],
      );
      expect(s.progress.total).toBe(rows.length);
      await service.cancel(bot.id, s.broadcast.id, Actors.tenantApi(bot.id));
      return rows.map((r) => r.user_id).sort();
    };
    expect(await recipients({ segment: 'all' })).toEqual([active.userId, expired.userId, fa.id, ru.id].sort());
    expect(await recipients({ segment: 'active' })).toEqual([active.userId]);
    expect(await recipients({ segment: 'expired' })).toEqual([expired.userId]);
    expect(await recipients({ segment: 'never_bought' })).toEqual([fa.id, ru.id].sort());
    expect(await recipients({ segment: 'never_bought', language: 'ru' })).toEqual([ru.id]);
  });

  it('never lets two runs claim the same delivery, even claiming at the same time', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 30; i++) await ctx.newUser(bot.id);
    const s = await started(bot);
    const claimAll = async (claimId: string) => {
      const mine: string[] = [];
      for (;;) {
        const batch = await runs.claim(bot.id, s.broadcast.id, claimId, 7);
        if (batch.length === 0) return mine;
        mine.push(...batch.map((d) => d.userId));
      }
    };
    const [a, b, c] = await Promise.all([claimAll(randomUUID()), claimAll(randomUUID()), claimAll(randomUUID())]);
    const all = [...a, ...b, ...c];
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
  });

  it('a claim left by a dead run is interrupted and never sent again; outcomes count; then the broadcast completes', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 6; i++) await ctx.newUser(bot.id);
    const s = await started(bot);
    const id = s.broadcast.id;
    const dead = randomUUID();
    const lost = await runs.claim(bot.id, id, dead, 2);
    // A fresh claim is not stale yet; an old one is.
    const alive = randomUUID();
    expect(await runs.interruptStale(bot.id, id, 60_000, alive)).toBe(0);
    expect(await runs.interruptStale(bot.id, id, 0, alive)).toBe(2);
    // The dead run coming back to record changes nothing.
    await runs.record(
      bot.id,
      id,
      dead,
      lost.map((d) => ({ userId: d.userId, status: 'sent' as const })),
    );
    const rest = await runs.claim(bot.id, id, alive, 10);
    expect(rest.map((d) => d.userId)).not.toEqual(expect.arrayContaining([lost[0].userId]));
    expect(rest).toHaveLength(4);
    await runs.record(bot.id, id, alive, [
      { userId: rest[0].userId, status: 'sent' },
      { userId: rest[1].userId, status: 'sent' },
      { userId: rest[2].userId, status: 'blocked' },
      { userId: rest[3].userId, status: 'failed', error: 'Bad Request: chat not found' },
    ]);
    expect(await runs.completeIfDone(bot.id, id)).toBe(true);
    const v = await service.get(bot.id, id);
    expect(v.broadcast.status).toBe('completed');
    expect(v.progress).toMatchObject({ total: 6, sent: 2, blocked: 1, failed: 3, interrupted: 2, remaining: 0 });
    const listed = (await service.list(bot.id, 1, 20)).items.find((b) => b.id === id);
    expect(listed).toMatchObject({ sent: 2, blocked: 1, failed: 3 });
  });

  it('cancel stops the claims at once, and the next broadcast starts and sends regardless', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 5; i++) await ctx.newUser(bot.id);
    const first = await started(bot);
    expect(await runs.claim(bot.id, first.broadcast.id, randomUUID(), 1)).toHaveLength(1);
    const cancelled = await service.cancel(bot.id, first.broadcast.id, Actors.tenantApi(bot.id));
    expect(cancelled.broadcast.status).toBe('cancelled');
    expect(cancelled.progress.remaining).toBe(5);
    expect(await runs.claim(bot.id, first.broadcast.id, randomUUID(), 10)).toEqual([]);
    await expectRefused(service.cancel(bot.id, first.broadcast.id, Actors.tenantApi(bot.id)), ErrorCode.CONFLICT);

    const second = await started(bot);
    expect(second.progress.total).toBe(5);
    expect(await runs.claim(bot.id, second.broadcast.id, randomUUID(), 10)).toHaveLength(5);
  });

  it('keeps each bot to its own broadcasts (another bot id finds nothing)', async () => {
    const a = await ctx.newBot();
    const b = await ctx.newBot();
    const v = await service.create(a.id, draft(), Actors.tenantApi(a.id));
    await expectRefused(service.get(b.id, v.broadcast.id), ErrorCode.NOT_FOUND);
    await expectRefused(service.cancel(b.id, v.broadcast.id, Actors.tenantApi(b.id)), ErrorCode.NOT_FOUND);
    expect(await runs.claim(b.id, v.broadcast.id, randomUUID(), 10)).toEqual([]);
  });
});
