import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BotSettingsService } from '@botfleet/bots';
import { ConfigurationsService } from '@botfleet/catalog';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import type { DeliveryOutcome } from '@botfleet/dal';
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

  it('a bot admin acts only when the role grants broadcasts: a support agent can neither create, start nor cancel', async () => {
    const bot = await ctx.newBot();
    await ctx.get(BotSettingsService).setAdminRoles(
      bot.id,
      [
        { telegramId: 5_550_011, role: 'admin' },
        { telegramId: 5_550_012, role: 'support' },
      ],
      Actors.tenantApi(bot.id),
    );
    const admin = Actors.botAdmin(5_550_011);
    const agent = Actors.botAdmin(5_550_012);
    await expectRefused(service.create(bot.id, draft(), agent), ErrorCode.FORBIDDEN);
    await expectRefused(service.create(bot.id, draft(), Actors.botAdmin(5_550_013)), ErrorCode.FORBIDDEN);
    expect((await service.list(bot.id, 1, 20)).total).toBe(0);
    const v = await service.create(bot.id, draft({ previewTelegramId: 5_550_011 }), admin);
    await previewed(bot.id, v.broadcast.id);
    await expectRefused(service.start(bot.id, v.broadcast.id, agent), ErrorCode.FORBIDDEN);
    await expectRefused(service.update(bot.id, v.broadcast.id, { text: 'x' }, agent), ErrorCode.FORBIDDEN);
    await expectRefused(service.cancel(bot.id, v.broadcast.id, agent), ErrorCode.FORBIDDEN);
    await expectRefused(
      service.uploadPhoto(
        bot.id,
        v.broadcast.id,
        { data: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64)]), contentType: 'image/png' },
        agent,
      ),
      ErrorCode.FORBIDDEN,
    );
    expect((await service.get(bot.id, v.broadcast.id)).broadcast.status).toBe('draft');
    expect((await service.start(bot.id, v.broadcast.id, admin)).broadcast.status).toBe('running');
    expect((await service.cancel(bot.id, v.broadcast.id, admin)).broadcast.status).toBe('cancelled');
  });

  it('an audience by language names one the shop speaks, in a new draft and a changed one', async () => {
    const bot = await ctx.newBot();
    const actor = Actors.tenantApi(bot.id);
    await ctx.get(ConfigurationsService).set(bot.id, 'languages', ['fa', 'en'], undefined, actor);
    const ru = { segment: 'all', language: 'ru' } as const;
    await expectRefused(
      service.create(bot.id, draft({ audience: ru }), actor),
      ErrorCode.VALIDATION_FAILED,
      'audience.language',
    );
    expect((await service.list(bot.id, 1, 20)).total).toBe(0);
    const v = await service.create(bot.id, draft({ audience: { segment: 'all', language: 'fa' } }), actor);
    await expectRefused(
      service.update(bot.id, v.broadcast.id, { audience: ru }, actor),
      ErrorCode.VALIDATION_FAILED,
      'audience.language',
    );
    expect((await service.get(bot.id, v.broadcast.id)).broadcast.filter).toMatchObject({
      segment: 'all',
      language: 'fa',
    });
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

  /** A lease that does not pass on during the test, and one that passes at once (its run counts as dead). */
  const FRESH = 60_000;
  const EXPIRED = 0;

  /** Marks one leased delivery `sending`, as the worker does right before its Telegram call: whether it may send. */
  const mark = async (botId: string, id: string, claimId: string, userId: string): Promise<boolean> =>
    (await runs.step(botId, id, claimId, [], [userId])).includes(userId);

  /** Sends a leased delivery the way the worker does: marked `sending`, then its outcome. */
  async function send(bot: TestBot, id: string, claimId: string, userId: string, status: DeliveryOutcome['status']) {
    expect(await mark(bot.id, id, claimId, userId)).toBe(true);
    const error = status === 'failed' ? 'Bad Request: x' : null;
    expect(await runs.step(bot.id, id, claimId, [{ userId, status, error }], [])).toEqual([]);
  }

  const statuses = async (id: string): Promise<Record<string, string>> => {
    const rows: { user_id: string; status: string }[] = await platform.query(
      `SELECT user_id, status FROM broadcast_deliveries WHERE broadcast_id = $1`,
      [id],
    );
    return Object.fromEntries(rows.map((r) => [r.user_id, r.status]));
  };

  it('never lets two runs lease the same delivery, even leasing at the same time', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 30; i++) await ctx.newUser(bot.id);
    const s = await started(bot);
    const claimAll = async (claimId: string) => {
      const mine: string[] = [];
      for (;;) {
        const batch = await runs.claim(bot.id, s.broadcast.id, claimId, 7, FRESH);
        if (batch.length === 0) return mine;
        mine.push(...batch.map((d) => d.userId));
      }
    };
    const [a, b, c] = await Promise.all([claimAll(randomUUID()), claimAll(randomUUID()), claimAll(randomUUID())]);
    const all = [...a, ...b, ...c];
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
  });

  it('leases past a cursor skip the rows before it; from the start they take what came free', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 12; i++) await ctx.newUser(bot.id);
    const s = await started(bot);
    const id = s.broadcast.id;
    const dead = randomUUID();
    const first = await runs.claim(bot.id, id, dead, 4, FRESH); // a run that dies with these leased
    const run = randomUUID();
    const a = await runs.claim(bot.id, id, run, 4, FRESH);
    const cursor = a
      .map((d) => d.userId)
      .sort()
      .at(-1)!;
    const b = await runs.claim(bot.id, id, run, 10, FRESH, cursor);
    expect(b).toHaveLength(4);
    expect(b.every((d) => d.userId > cursor)).toBe(true);
    // Past the cursor nothing is left, though the dead run's rows (before or after it) pass on once expired.
    const past = b
      .map((d) => d.userId)
      .sort()
      .at(-1)!;
    expect(await runs.claim(bot.id, id, run, 10, FRESH, past)).toEqual([]);
    const freed = await runs.claim(bot.id, id, run, 10, EXPIRED);
    expect(freed.map((d) => d.userId).sort()).toEqual(first.map((d) => d.userId).sort());
  });

  it('stepAndLease records, marks and leases in one transaction; a step alone when no lease is asked', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 9; i++) await ctx.newUser(bot.id);
    const s = await started(bot);
    const id = s.broadcast.id;
    const run = randomUUID();
    const first = await runs.stepAndLease(bot.id, id, run, [], [], { limit: 3, leaseMs: FRESH });
    expect(first.marked).toEqual([]);
    expect(first.leased).toHaveLength(3);
    const ids = first.leased.map((d) => d.userId);
    const second = await runs.stepAndLease(bot.id, id, run, [], ids, {
      limit: 3,
      leaseMs: FRESH,
      after: [...ids].sort().at(-1),
    });
    expect(second.marked.sort()).toEqual([...ids].sort());
    expect(second.leased).toHaveLength(3);
    const done: DeliveryOutcome[] = ids.map((userId) => ({ userId, status: 'sent' }));
    const third = await runs.stepAndLease(bot.id, id, run, done, [], null);
    expect(third).toEqual({ marked: [], leased: [] });
    const st = await statuses(id);
    expect(ids.map((u) => st[u])).toEqual(['sent', 'sent', 'sent']);
    expect(Object.values(st).filter((x) => x === 'pending')).toHaveLength(6);
    // One transaction: a step that fails takes its lease back with it (the 3 rows nobody leased stay free).
    await expect(
      runs.stepAndLease(bot.id, id, run, [], ['not-a-uuid'], { limit: 3, leaseMs: FRESH }),
    ).rejects.toThrow();
    const free = await runs.claim(bot.id, id, randomUUID(), 10, FRESH);
    expect(free).toHaveLength(3);
    expect(free.some((d) => second.leased.some((l) => l.userId === d.userId))).toBe(false);
    // A step whose lease fails (the broadcast ended meanwhile) leases nothing and marks nothing.
    await service.cancel(bot.id, id, Actors.tenantApi(bot.id));
    const after = await runs.stepAndLease(
      bot.id,
      id,
      run,
      [],
      second.leased.map((d) => d.userId),
      {
        limit: 3,
        leaseMs: FRESH,
      },
    );
    expect(after).toEqual({ marked: [], leased: [] });
  });

  it('lets exactly one run mark each delivery for sending while its lease passes to another run', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 40; i++) await ctx.newUser(bot.id);
    const s = await started(bot);
    const id = s.broadcast.id;
    const slow = randomUUID();
    const leased = await runs.claim(bot.id, id, slow, 40, FRESH);
    expect(leased).toHaveLength(40);
    // The slow run marks its deliveries one by one while a takeover keeps taking its (expired) lease.
    const takeover = randomUUID();
    const byTakeover: string[] = [];
    const [bySlow] = await Promise.all([
      (async () => {
        const mine: string[] = [];
        for (const d of leased) if (await mark(bot.id, id, slow, d.userId)) mine.push(d.userId);
        return mine;
      })(),
      (async () => {
        for (let i = 0; i < 10; i++) {
          for (const d of await runs.claim(bot.id, id, takeover, 3, EXPIRED)) {
            if (await mark(bot.id, id, takeover, d.userId)) byTakeover.push(d.userId);
          }
        }
      })(),
    ]);
    expect(byTakeover.length).toBeGreaterThan(0);
    expect(bySlow.length).toBeGreaterThan(0);
    expect(bySlow.filter((u) => byTakeover.includes(u))).toEqual([]);
    // Whatever neither marked is still pending, and goes to whoever leases it next.
    const marked = Object.values(await statuses(id)).filter((st) => st === 'sending').length;
    expect(marked).toBe(bySlow.length + byTakeover.length);
  });

  it('a run killed mid-batch leaves only its send in flight ambiguous: the rest of its lease is sent by the next run', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 6; i++) await ctx.newUser(bot.id);
    const s = await started(bot);
    const id = s.broadcast.id;
    const dead = randomUUID();
    const lost = await runs.claim(bot.id, id, dead, 4, FRESH);
    expect(lost).toHaveLength(4);
    // The run marks its first delivery, calls Telegram, and is killed before it hears back.
    expect(await mark(bot.id, id, dead, lost[0].userId)).toBe(true);

    // A fresh lease and a fresh mark are not taken over yet; the deliveries nobody leased are.
    const next = randomUUID();
    const free = await runs.claim(bot.id, id, next, 10, FRESH);
    expect(free).toHaveLength(2);
    expect(await runs.interruptStale(bot.id, id, FRESH, next)).toBe(0);
    // Once stale: the one in flight is interrupted (never sent again), the three the dead run never sent pass on.
    expect(await runs.interruptStale(bot.id, id, EXPIRED, next)).toBe(1);
    const rest = await runs.claim(bot.id, id, next, 10, EXPIRED);
    expect(rest.map((d) => d.userId).sort()).toEqual(
      lost
        .slice(1)
        .map((d) => d.userId)
        .sort(),
    );
    // The dead run's lease is gone: it could not send them now even if it came back.
    expect(await mark(bot.id, id, dead, lost[1].userId)).toBe(false);

    const [a, b, c, d, e] = [...free, ...rest];
    await send(bot, id, next, a.userId, 'sent');
    await send(bot, id, next, b.userId, 'sent');
    await send(bot, id, next, c.userId, 'blocked');
    await send(bot, id, next, d.userId, 'failed');
    await send(bot, id, next, e.userId, 'sent');
    expect(await runs.completeIfDone(bot.id, id)).toBe(true);
    const v = await service.get(bot.id, id);
    expect(v.broadcast.status).toBe('completed');
    expect(v.progress).toMatchObject({ total: 6, sent: 3, blocked: 1, failed: 2, interrupted: 1, remaining: 0 });
    expect((await statuses(id))[lost[0].userId]).toBe('interrupted');
    const listed = (await service.list(bot.id, 1, 20)).items.find((x) => x.id === id);
    expect(listed).toMatchObject({ sent: 3, blocked: 1, failed: 2, skipped: 0 });
  });

  it('cancel skips what is pending at once and marks the send in flight, which its run still records; the next broadcast runs regardless', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 5; i++) await ctx.newUser(bot.id);
    const first = await started(bot);
    const id = first.broadcast.id;
    const run = randomUUID();
    const leased = await runs.claim(bot.id, id, run, 2, FRESH);
    expect(await mark(bot.id, id, run, leased[0].userId)).toBe(true);
    const cancelled = await service.cancel(bot.id, id, Actors.tenantApi(bot.id));
    expect(cancelled.broadcast.status).toBe('cancelled');
    expect(cancelled.progress).toMatchObject({ total: 5, sent: 0, interrupted: 1, skipped: 4, remaining: 0 });
    // Nothing more leaves: no lease, and the delivery leased but not marked yet is not this run's to send.
    expect(await runs.claim(bot.id, id, randomUUID(), 10, EXPIRED)).toEqual([]);
    expect(await mark(bot.id, id, run, leased[1].userId)).toBe(false);
    // Telegram took the one in flight: its run says so, and the counts add up.
    await runs.step(bot.id, id, run, [{ userId: leased[0].userId, status: 'sent' }], []);
    const after = await service.get(bot.id, id);
    expect(after.progress).toMatchObject({ total: 5, sent: 1, failed: 0, interrupted: 0, skipped: 4, remaining: 0 });
    await expectRefused(service.cancel(bot.id, id, Actors.tenantApi(bot.id)), ErrorCode.CONFLICT);
    const listed = (await service.list(bot.id, 1, 20)).items.find((x) => x.id === id);
    expect(listed).toMatchObject({ status: 'cancelled', skipped: 4 });

    const second = await started(bot);
    expect(second.progress.total).toBe(5);
    expect(await runs.claim(bot.id, second.broadcast.id, randomUUID(), 10, FRESH)).toHaveLength(5);
  });

  it('a failed broadcast skips what it did not send', async () => {
    const bot = await ctx.newBot();
    for (let i = 0; i < 3; i++) await ctx.newUser(bot.id);
    const s = await started(bot);
    const run = randomUUID();
    const [one] = await runs.claim(bot.id, s.broadcast.id, run, 1, FRESH);
    await send(bot, s.broadcast.id, run, one.userId, 'sent');
    expect(await runs.fail(bot.id, s.broadcast.id, 'the bot is token_invalid')).toBe(true);
    const v = await service.get(bot.id, s.broadcast.id);
    expect(v.broadcast).toMatchObject({ status: 'failed', failure: 'the bot is token_invalid', sent: 1, skipped: 2 });
    expect(v.progress).toMatchObject({ total: 3, sent: 1, skipped: 2, remaining: 0 });
    expect(await runs.fail(bot.id, s.broadcast.id, 'again')).toBe(false);
  });

  it('the end report to the owner is recorded told before its relay: one taker, however slow; untold again on failure', async () => {
    const bot = await ctx.newBot();
    const [a, b] = [randomUUID(), randomUUID()];
    const first = await runs.takeEndReport(bot.id, a, 300);
    expect(typeof first).toBe('object');
    expect(await runs.takeEndReport(bot.id, a, 300)).toBe('told');
    // A relay that outlasts the stale time (Telegram slow, 429s waited out) leaves nothing for another to take.
    await new Promise((r) => setTimeout(r, 450));
    expect(await runs.takeEndReport(bot.id, a, 300)).toBe('told');
    // A relay that certainly failed makes it untold again: the job's retry takes it, and only once.
    const failed = await runs.takeEndReport(bot.id, b, 60_000);
    expect(typeof failed).toBe('object');
    await runs.endReportFailed(bot.id, failed as Exclude<typeof failed, string>);
    expect(typeof (await runs.takeEndReport(bot.id, b, 60_000))).toBe('object');
    expect(await runs.takeEndReport(bot.id, b, 60_000)).toBe('told');
  });

  it('keeps each bot to its own broadcasts (another bot id finds nothing)', async () => {
    const a = await ctx.newBot();
    const b = await ctx.newBot();
    const v = await service.create(a.id, draft(), Actors.tenantApi(a.id));
    await expectRefused(service.get(b.id, v.broadcast.id), ErrorCode.NOT_FOUND);
    await expectRefused(service.cancel(b.id, v.broadcast.id, Actors.tenantApi(b.id)), ErrorCode.NOT_FOUND);
    expect(await runs.claim(b.id, v.broadcast.id, randomUUID(), 10, 0)).toEqual([]);
  });
});
