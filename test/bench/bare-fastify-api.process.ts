import Fastify from 'fastify';
import { Pool, PoolClient } from 'pg';

/**
 * Baseline (b) of B6: a bare Fastify + `pg` server running, per request, the same transaction as the API's tenant
 * path — `BEGIN` and `set_config('app.bot_id', …)` in one round trip, the same SELECTs as PlanRepository
 * .listWithCurrency and UserRepository.search (count, then the page), `COMMIT` — on the same database as the same
 * role (RLS applies), with the same pool size. No auth, no validation, no DTOs: the limit of that query on this
 * machine. Configured by environment: DATABASE_URL, PORT, POOL_SIZE. Prints "ready" once listening.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 20) });
  const tenant = async <T>(botId: string, work: (c: PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await c.query(`START TRANSACTION; SELECT set_config('app.bot_id', '${botId}', true)`);
      const out = await work(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  };
  const app = Fastify({ logger: false });
  app.get<{ Params: { botId: string } }>('/v1/bots/:botId/plans', async (req, reply) => {
    if (!UUID.test(req.params.botId)) return reply.code(404).send({ error: 'not found' });
    const rows = await tenant(
      req.params.botId,
      async (c) =>
        (
          await c.query(
            `SELECT p.id, p.name, p.period_days, p.price_minor, p.price_stars, p.traffic_limit_gb, p.device_limit,
                  p.panel_id, p.location, p.sort_order, p.is_active, p.is_trial, p.created_at, p.updated_at, b.currency
             FROM bot_plans p JOIN bots b ON b.id = p.bot_id
            WHERE p.bot_id = $1 AND p.deleted_at IS NULL AND ($2::boolean IS FALSE OR p.is_active)
            ORDER BY p.sort_order, p.created_at, p.id`,
            [req.params.botId, false],
          )
        ).rows,
    );
    return { items: rows };
  });
  app.get<{ Params: { botId: string }; Querystring: { page?: string; pageSize?: string } }>(
    '/v1/bots/:botId/users',
    async (req, reply) => {
      if (!UUID.test(req.params.botId)) return reply.code(404).send({ error: 'not found' });
      const page = Math.max(1, Number(req.query.page ?? 1));
      const pageSize = Math.min(100, Math.max(1, Number(req.query.pageSize ?? 20)));
      return tenant(req.params.botId, async (c) => {
        const total = (await c.query(`SELECT COUNT(*) AS n FROM users u WHERE u.bot_id = $1`, [req.params.botId]))
          .rows[0] as { n: string };
        const items = (
          await c.query(
            `SELECT u.* FROM users u WHERE u.bot_id = $1 ORDER BY u.created_at DESC, u.id ASC LIMIT $2 OFFSET $3`,
            [req.params.botId, pageSize, (page - 1) * pageSize],
          )
        ).rows;
        return { items, page, pageSize, total: Number(total.n) };
      });
    },
  );
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
