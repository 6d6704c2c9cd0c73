import { DataSource } from 'typeorm';
import { ErrorCode } from '@botfleet/common';
import { SecretBox } from '@botfleet/secrets';
import { PanelDirectoryRepository, PlatformDb } from '@botfleet/platform';
import { TestContext, TestDatabase } from '@botfleet/testing';
import { PanelInput } from './panels-registry.service';
import { ProvisioningPanelDirectory } from './provisioning-panel-directory';

describe('ProvisioningPanelDirectory (platform path, real PostgreSQL)', () => {
  let ctx: TestContext;
  let db: TestDatabase;
  let platform: DataSource;
  let directory: ProvisioningPanelDirectory;

  /** A panel registered by the operator, carrying `activeUsers` accounts placed on it earlier. */
  const panel = async ({ activeUsers, ...over }: Partial<PanelInput> & { activeUsers?: number } = {}) => {
    const { id } = await ctx.newPanel({
      type: 'remnawave',
      baseUrl: 'http://127.0.0.1:9',
      credentials: { apiKey: 'rw-directory-key' },
      ...over,
    });
    if (activeUsers) await directory.adjustLoad(id, activeUsers);
    return id;
  };
  const load = async (id: string) =>
    Number((await platform.query(`SELECT active_users FROM vpn_panels WHERE id = $1`, [id]))[0].active_users);

  beforeAll(async () => {
    ctx = await TestContext.create();
    db = ctx.env.db;
    platform = await db.platform();
    directory = new ProvisioningPanelDirectory(
      new PanelDirectoryRepository(new PlatformDb(platform), new SecretBox(ctx.env.vars.ENCRYPTION_KEY)),
    );
  });
  afterAll(() => ctx?.close());

  it('decrypts a panel configuration bound to its own id, and refuses a ciphertext moved to another panel', async () => {
    const a = await panel({
      type: 'xui',
      credentials: { username: 'admin', password: 'pw-a' },
      settings: { inboundId: 2, subscriptionBaseUrl: 'https://sub.example.com/sub/' },
    });
    const config = await directory.getPanelConfig(a);
    expect(config).toMatchObject({
      id: a,
      type: 'xui',
      credentials: { username: 'admin', password: 'pw-a' },
      settings: { inboundId: 2 },
    });
    const b = await panel();
    await platform.query(
      `UPDATE vpn_panels SET credentials_ciphertext = (SELECT credentials_ciphertext FROM vpn_panels WHERE id = $1) WHERE id = $2`,
      [a, b],
    );
    await expect(directory.getPanelConfig(b)).rejects.toThrow();
    await expect(directory.getPanelConfig('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
  });

  it("takes the plan's own panel while it is active, else falls back to the location", async () => {
    const pinned = await panel({ location: 'fr', capacity: 1, activeUsers: 1 });
    const other = await panel({ location: 'fr' });
    // A pinned panel is the tenant's explicit choice: its capacity is not second-guessed.
    expect(await directory.choosePanel({ panelId: pinned, location: 'fr' })).toEqual({ id: pinned, type: 'remnawave' });
    expect(await load(pinned)).toBe(2);
    await platform.query(`UPDATE vpn_panels SET is_active = false WHERE id = $1`, [pinned]);
    expect((await directory.choosePanel({ panelId: pinned, location: 'fr' })).id).toBe(other);
  });

  it('picks the least loaded panel of the location relative to its capacity, skipping full and inactive ones', async () => {
    const full = await panel({ location: 'se', capacity: 10, activeUsers: 10 });
    const busy = await panel({ location: 'se', capacity: 10, activeUsers: 5 });
    const roomy = await panel({ location: 'se', capacity: 100, activeUsers: 20 });
    const off = await panel({ location: 'se', capacity: 100, activeUsers: 0, isActive: false });
    await panel({ location: 'fi', capacity: 100, activeUsers: 0 });
    const chosen = await directory.choosePanel({ location: 'se' });
    expect(chosen.id).toBe(roomy);
    expect(await load(roomy)).toBe(21);
    expect([full, busy, off]).not.toContain(chosen.id);
  });

  it('never hands out more slots than a location has, however many ask at once', async () => {
    const a = await panel({ location: 'pl', capacity: 3 });
    const b = await panel({ location: 'pl', capacity: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => directory.choosePanel({ location: 'pl' })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(5);
    expect(lost.map((r) => (r as PromiseRejectedResult).reason.code)).toEqual([
      ErrorCode.NO_PANEL_AVAILABLE,
      ErrorCode.NO_PANEL_AVAILABLE,
      ErrorCode.NO_PANEL_AVAILABLE,
    ]);
    expect(await load(a)).toBe(3);
    expect(await load(b)).toBe(2);
    await directory.adjustLoad(a, -1);
    expect((await directory.choosePanel({ location: 'pl' })).id).toBe(a);
    await directory.adjustLoad(b, -5);
    expect(await load(b)).toBe(0);
  });

  it('neither deadlocks nor over-fills when many choices race over panels whose order keeps changing', async () => {
    // The least-loaded order flips with every slot taken, so choices that waited on each other's row locks
    // would lock panels in opposite orders; a deadlock would surface here as a non-domain error.
    for (let round = 0; round < 5; round++) {
      const ids = await Promise.all([3, 4, 5, 6].map((capacity) => panel({ location: `race${round}`, capacity })));
      const results = await Promise.allSettled(
        Array.from({ length: 24 }, () => directory.choosePanel({ location: `race${round}` })),
      );
      const errors = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => (r.reason as { code?: string }).code ?? String(r.reason));
      expect(errors).toEqual(Array.from({ length: 6 }, () => ErrorCode.NO_PANEL_AVAILABLE));
      expect(await Promise.all(ids.map(load))).toEqual([3, 4, 5, 6]);
    }
  });
});
