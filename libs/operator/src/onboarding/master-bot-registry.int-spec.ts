import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SecretBox, TokenHasher } from '@botfleet/secrets';
import { MasterBotRepository, PlatformDb } from '@botfleet/platform';
import { createTestDatabase, TestDatabase } from '@botfleet/testing';
import { MasterBotRegistry } from './master-bot-registry';

const KEY = `1:${randomBytes(32).toString('base64')}`;

describe('MasterBotRegistry (platform path, real PostgreSQL)', () => {
  let db: TestDatabase;
  let platform: DataSource;
  let box: SecretBox;
  let registry: MasterBotRegistry;

  const identity = (token: string, admins: number[]) => ({
    token,
    telegramBotId: 900_001,
    username: 'fleet_master_bot',
    firstName: 'Fleet master',
    adminTelegramIds: admins,
  });
  const admins = async (botId: string) =>
    (
      (await platform.query(
        `SELECT telegram_id::text AS tg, is_owner FROM bot_admins WHERE bot_id = $1 ORDER BY telegram_id`,
        [botId],
      )) as { tg: string; is_owner: boolean }[]
    ).map((r) => `${r.tg}${r.is_owner ? '*' : ''}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    platform = await db.platform();
    box = new SecretBox(KEY);
    registry = new MasterBotRegistry(
      new MasterBotRepository(new PlatformDb(platform)),
      box,
      new TokenHasher(randomBytes(32).toString('base64')),
    );
  });
  afterAll(() => db?.drop());

  it('creates one master row however many workers register at once, token encrypted to that row', async () => {
    const ids = await Promise.all(
      Array.from({ length: 6 }, () => registry.register(identity('111:master-aaa', [7, 8]))),
    );
    expect(new Set(ids).size).toBe(1);
    const rows: { id: string; owner: string; ct: string; status: string }[] = await platform.query(
      `SELECT id, owner_telegram_id::text AS owner, telegram_token_ciphertext AS ct, status FROM bots WHERE is_master`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: ids[0], owner: '7', status: 'active' });
    expect(rows[0].ct).not.toContain('master-aaa');
    expect(box.decrypt(rows[0].ct, rows[0].id)).toBe('111:master-aaa');
    expect(await admins(ids[0])).toEqual(['7*', '8']);
  });

  it('takes a new token and admin list on the next boot, and revives a bot whose token was invalid', async () => {
    const [id] = (await platform.query(`SELECT id FROM bots WHERE is_master`)) as { id: string }[];
    await platform.query(`UPDATE bots SET status = 'token_invalid' WHERE id = $1`, [id.id]);
    expect(await registry.register(identity('111:master-bbb', [9, 7]))).toBe(id.id);
    const [row] = (await platform.query(
      `SELECT status, owner_telegram_id::text AS owner, telegram_token_ciphertext AS ct FROM bots WHERE id = $1`,
      [id.id],
    )) as { status: string; owner: string; ct: string }[];
    expect(row).toMatchObject({ status: 'active', owner: '9' });
    expect(box.decrypt(row.ct, id.id)).toBe('111:master-bbb');
    expect(await admins(id.id)).toEqual(['7', '9*']);
  });
});
