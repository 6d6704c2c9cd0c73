import { DataSource } from 'typeorm';
import { AuditService } from '@botfleet/audit';
import { UserLedgerService } from '@botfleet/billing';
import { PaymentCardsService, PlansService, ConfigurationsService } from '@botfleet/catalog';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb, TenantRepositories, UserRepository } from '@botfleet/dal';
import { CustomersService } from '@botfleet/customers';
import { ApproveReceiptUseCase, RejectReceiptUseCase } from '@botfleet/sales';
import { TestContext, TestBot } from '@botfleet/testing';
import { BotSettingsService } from '../bot-settings.service';
import { AdminAccessService } from './admin-access.service';
import { ADMIN_PERMISSIONS, AdminPermission, AdminRole } from './admin-roles';

const OWNER = 710_000_001;
const ADMIN = 710_000_002;
const SUPPORT = 710_000_003;
const STRANGER = 710_000_004;

/** Roles inside a tenant: the admin list with roles, and the domain refusing what a role may not do. */
describe('bot admin roles (real PostgreSQL)', () => {
  let ctx: TestContext;
  let platform: DataSource;
  let bot: TestBot;

  const rows = async (botId: string) =>
    (await platform.query(
      `SELECT telegram_id::bigint::float8 AS id, role, is_owner FROM bot_admins WHERE bot_id = $1 ORDER BY telegram_id`,
      [botId],
    )) as { id: number; role: string; is_owner: boolean }[];

  beforeAll(async () => {
    ctx = await TestContext.create();
    platform = await ctx.env.db.platform();
    bot = await ctx.newBot({ ownerTelegramId: OWNER, walletMinor: 1_000_000 });
    await ctx.get(BotSettingsService).setAdminRoles(
      bot.id,
      [
        { telegramId: ADMIN, role: 'admin' },
        { telegramId: SUPPORT, role: 'support' },
      ],
      Actors.tenantApi(bot.id),
    );
  });

  afterAll(() => ctx?.close());

  /** The REST customers service, made of the context's own production providers (the context does not load it). */
  const customersService = () =>
    new CustomersService(
      ctx.get(TenantDb),
      ctx.get(TenantRepositories),
      ctx.get(UserRepository),
      ctx.get(UserLedgerService),
      ctx.get(AuditService),
      ctx.get(AdminAccessService),
    );

  describe('the admin list', () => {
    it('keeps the owner first as owner, each admin with their role, is_owner = (role = owner)', async () => {
      const view = await ctx.get(BotSettingsService).getAdmins(bot.id);
      expect(view).toEqual({
        ownerTelegramId: OWNER,
        telegramIds: [OWNER, ADMIN, SUPPORT],
        admins: [
          { telegramId: OWNER, role: 'owner' },
          { telegramId: ADMIN, role: 'admin' },
          { telegramId: SUPPORT, role: 'support' },
        ],
      });
      expect(await rows(bot.id)).toEqual([
        { id: OWNER, role: 'owner', is_owner: true },
        { id: ADMIN, role: 'admin', is_owner: false },
        { id: SUPPORT, role: 'support', is_owner: false },
      ]);
    });

    it('onboarding (which writes only is_owner) gives the owner the owner role', async () => {
      const other = await ctx.newBot();
      expect(await rows(other.id)).toEqual([{ id: other.ownerTelegramId, role: 'owner', is_owner: true }]);
    });

    it('the older form makes everyone an admin and adds the owner back', async () => {
      const other = await ctx.newBot();
      const settings = ctx.get(BotSettingsService);
      const view = await settings.setAdmins(
        other.id,
        [STRANGER, ADMIN, other.ownerTelegramId],
        Actors.tenantApi(other.id),
      );
      expect(view.admins).toEqual([
        { telegramId: other.ownerTelegramId, role: 'owner' },
        { telegramId: ADMIN, role: 'admin' },
        { telegramId: STRANGER, role: 'admin' },
      ]);
      // A role change of an existing admin, and a removal.
      await settings.setAdminRoles(other.id, [{ telegramId: ADMIN, role: 'support' }], Actors.tenantApi(other.id));
      expect(await rows(other.id)).toEqual(
        [
          { id: ADMIN, role: 'support', is_owner: false },
          { id: other.ownerTelegramId, role: 'owner', is_owner: true },
        ].sort((a, b) => a.id - b.id),
      );
    });

    it.each<[string, { telegramId: number; role: AdminRole }[], string]>([
      ['the owner demoted', [{ telegramId: OWNER, role: 'admin' }], 'admins.0'],
      ['another owner', [{ telegramId: STRANGER, role: 'owner' }], 'admins.0'],
      [
        'an id twice',
        [
          { telegramId: STRANGER, role: 'admin' },
          { telegramId: STRANGER, role: 'support' },
        ],
        'admins.1',
      ],
    ])('refuses %s with VALIDATION_FAILED naming the entry, and changes nothing', async (_why, wanted, field) => {
      const before = await rows(bot.id);
      const err = await ctx
        .get(BotSettingsService)
        .setAdminRoles(bot.id, wanted, Actors.tenantApi(bot.id))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, details: [{ field }] });
      expect(await rows(bot.id)).toEqual(before);
    });

    it('a bot admin who is not the owner cannot change the admin list', async () => {
      const before = await rows(bot.id);
      await expect(ctx.get(BotSettingsService).setAdminRoles(bot.id, [], Actors.botAdmin(ADMIN))).rejects.toMatchObject(
        {
          code: ErrorCode.FORBIDDEN,
        },
      );
      expect(await rows(bot.id)).toEqual(before);
    });
  });

  describe('AdminAccessService', () => {
    const allowed: Record<AdminRole, AdminPermission[]> = {
      owner: [...ADMIN_PERMISSIONS],
      admin: ['dashboard', 'receipts', 'users', 'plans', 'cards', 'texts', 'broadcasts', 'tickets', 'lookup'],
      support: ['tickets', 'lookup'],
    };
    const who: Record<AdminRole, number> = { owner: OWNER, admin: ADMIN, support: SUPPORT };

    it.each(Object.keys(allowed) as AdminRole[])('the %s may do exactly what the role grants', async (role) => {
      const access = ctx.get(AdminAccessService);
      expect(await access.roleOf(bot.id, who[role])).toBe(role);
      for (const permission of ADMIN_PERMISSIONS) {
        const may = allowed[role].includes(permission);
        expect({ permission, may: await access.may(bot.id, who[role], permission) }).toEqual({ permission, may });
        if (may) await expect(access.require(bot.id, who[role], permission)).resolves.toBe(role);
        else await expect(access.require(bot.id, who[role], permission)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
    });

    it('someone who is not an admin of this bot (or of another bot only) may do nothing', async () => {
      const access = ctx.get(AdminAccessService);
      const other = await ctx.newBot({ ownerTelegramId: STRANGER });
      for (const id of [STRANGER, '0', '-5', '1e3', 'x']) {
        expect(await access.roleOf(bot.id, id)).toBeNull();
        await expect(access.require(bot.id, id, 'lookup')).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
      }
      expect(await access.roleOf(other.id, OWNER)).toBeNull();
    });
  });

  describe('the domain checks the role of a bot admin, whichever outlet calls', () => {
    it('a support agent cannot approve or reject a receipt; an admin can, and the audit log has the role', async () => {
      const r1 = await ctx.newReceiptToReview(bot.id);
      const status = async (id: string) =>
        (await platform.query(`SELECT status FROM card_to_card_payments WHERE id = $1`, [id]))[0].status as string;
      await expect(
        ctx
          .get(ApproveReceiptUseCase)
          .execute({ botId: bot.id, paymentId: r1.paymentId, actor: Actors.botAdmin(SUPPORT) }),
      ).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
      await expect(
        ctx.get(RejectReceiptUseCase).execute({
          botId: bot.id,
          paymentId: r1.paymentId,
          actor: Actors.botAdmin(SUPPORT),
          reason: 'no',
        }),
      ).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
      expect(await status(r1.paymentId)).toBe('pending');
      await ctx
        .get(ApproveReceiptUseCase)
        .execute({ botId: bot.id, paymentId: r1.paymentId, actor: Actors.botAdmin(ADMIN) });
      expect(await status(r1.paymentId)).toBe('approved');
    });

    it('balance adjustments are the owner’s: support and admin are refused, nothing is written', async () => {
      const user = await ctx.newUser(bot.id);
      const customers = customersService();
      const balance = async () =>
        (await platform.query(`SELECT balance_minor::int AS b FROM users WHERE id = $1`, [user.id]))[0].b as number;
      const ledgerRows = async () =>
        Number((await platform.query(`SELECT count(*) FROM transactions WHERE user_id = $1`, [user.id]))[0].count);
      for (const id of [SUPPORT, ADMIN, STRANGER]) {
        await expect(
          customers.adjustBalance(
            bot.id,
            user.id,
            { amountMinor: 5000, reason: 'gift', idempotencyKey: `k-${id}` },
            Actors.botAdmin(id),
          ),
        ).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
      }
      expect(await balance()).toBe(0);
      expect(await ledgerRows()).toBe(0);
      const res = await customers.adjustBalance(
        bot.id,
        user.id,
        { amountMinor: 5000, reason: 'gift', idempotencyKey: 'k-owner' },
        Actors.botAdmin(OWNER),
      );
      expect(res).toMatchObject({ applied: true, balanceMinor: 5000 });
      const [audit] = await platform.query(
        `SELECT actor_type, actor_id, actor_role FROM audit_logs WHERE bot_id = $1 AND action = 'user.balance_adjustment'`,
        [bot.id],
      );
      expect(audit).toEqual({ actor_type: 'bot_admin', actor_id: String(OWNER), actor_role: 'owner' });
    });

    it('blocking a customer: admin yes, support no', async () => {
      const user = await ctx.newUser(bot.id);
      const customers = customersService();
      await expect(customers.setStatus(bot.id, user.id, 'blocked', Actors.botAdmin(SUPPORT))).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
      });
      expect((await customers.getUser(bot.id, user.id)).status).toBe('active');
      await customers.setStatus(bot.id, user.id, 'blocked', Actors.botAdmin(ADMIN));
      expect((await customers.getUser(bot.id, user.id)).status).toBe('blocked');
    });

    it('plans, cards and texts: admin yes, support no; other settings are the owner’s', async () => {
      const plan = await ctx.newPlan(bot.id, { priceMinor: 40_000 });
      const card = await ctx.newCard(bot.id);
      const plans = ctx.get(PlansService);
      const cards = ctx.get(PaymentCardsService);
      const config = ctx.get(ConfigurationsService);
      const support = Actors.botAdmin(SUPPORT);
      await expect(plans.update(bot.id, plan.id, { priceMinor: 1 }, support)).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
      });
      await expect(cards.update(bot.id, card.id, { isActive: false }, support)).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
      });
      await expect(config.set(bot.id, 'welcome_text', { en: 'hi' }, undefined, support)).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
      });
      expect((await plans.get(bot.id, plan.id)).priceMinor).toBe(40_000);
      expect((await cards.get(bot.id, card.id)).isActive).toBe(true);

      const admin = Actors.botAdmin(ADMIN);
      expect((await plans.update(bot.id, plan.id, { priceMinor: 45_000 }, admin)).priceMinor).toBe(45_000);
      expect((await cards.update(bot.id, card.id, { isActive: false }, admin)).isActive).toBe(false);
      await config.set(bot.id, 'welcome_text', { en: 'hi' }, undefined, admin);
      await expect(config.set(bot.id, 'receipt_ttl_minutes', 30, undefined, admin)).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
      });
      await config.set(bot.id, 'receipt_ttl_minutes', 30, undefined, Actors.botAdmin(OWNER));
      const [audit] = await platform.query(
        `SELECT actor_role FROM audit_logs WHERE bot_id = $1 AND action = 'plan.update' AND actor_type = 'bot_admin'`,
        [bot.id],
      );
      expect(audit).toEqual({ actor_role: 'admin' });
    });
  });
});
