import { Injectable, OnModuleInit } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { OrderHooks, UserLedgerService } from '@botfleet/billing';
import { ConfigurationsService, FeaturesService } from '@botfleet/catalog';
import { PromoRepository, TenantRepositories } from '@botfleet/dal';

/** The commission on an order of `amountMinor` at `percent` (rounded down). */
export const commissionOf = (amountMinor: number, percent: number): number =>
  Math.floor((Math.max(0, amountMinor) * Math.max(0, percent)) / 100);

/**
 * The referral commission (feature `referral_program`), through the sale's OrderHooks, in the transaction of the
 * move: when a referred customer's order becomes paid (every way an order is paid — wallet, card approval,
 * gateways — goes through that one move), the referrer's wallet is credited `referral_commission_percent` of
 * what the order charged, with ledger key `referral:{orderId}` and a `referral_earnings` row (unique per order),
 * so it happens once. `referral_commission_scope` = first_purchase pays on the customer's first paid order only.
 * When that order is refunded the commission is taken back once (`referral:{orderId}:reversal`, the earning's
 * `reversed_at` set conditionally) — never below a zero balance: what the referrer already spent stays spent.
 * Self-referral and loops (the referrer was referred by this customer) earn nothing; /start already refuses both.
 */
@Injectable()
export class ReferralCommissions implements OnModuleInit {
  constructor(
    private readonly hooks: OrderHooks,
    private readonly repos: TenantRepositories,
    private readonly promo: PromoRepository,
    private readonly ledger: UserLedgerService,
    private readonly features: FeaturesService,
    private readonly configurations: ConfigurationsService,
  ) {}

  onModuleInit(): void {
    this.hooks.onMoved(async (botId, move) => {
      if (move.to === 'paid') await this.credit(botId, move.id);
      else if (move.to === 'refunded') await this.reverse(botId, move.id);
    });
  }

  private async credit(botId: string, orderId: string): Promise<void> {
    const order = await this.repos.orders.findById(botId, orderId);
    if (!order || order.kind === 'trial' || order.amountMinor <= 0) return;
    const buyer = await this.repos.users.findById(botId, order.userId);
    if (!buyer?.referrerId || buyer.referrerId === buyer.id) return;
    if (!(await this.features.isEnabled(botId, 'referral_program'))) return;
    const referrer = await this.repos.users.findById(botId, buyer.referrerId);
    if (!referrer || referrer.referrerId === buyer.id) return;
    const percent = await this.configurations.get(botId, 'referral_commission_percent');
    const amountMinor = commissionOf(order.amountMinor, percent);
    if (amountMinor <= 0) return;
    const scope = await this.configurations.get(botId, 'referral_commission_scope');
    if (scope === 'first_purchase' && (await this.promo.hasPaidOrder(botId, buyer.id, order.id))) return;
    if (await this.repos.referralEarnings.findOne(botId, { orderId })) return;
    await this.repos.referralEarnings.insert(botId, {
      referrerId: referrer.id,
      referredId: buyer.id,
      orderId,
      amountMinor,
      reversedAt: null,
    });
    await this.ledger.post(botId, {
      userId: referrer.id,
      type: 'referral',
      amountMinor,
      idempotencyKey: `referral:${orderId}`,
      orderId,
      reference: `referral:${buyer.id}`,
    });
  }

  private async reverse(botId: string, orderId: string): Promise<void> {
    const earning = await this.repos.referralEarnings.findOne(botId, { orderId, reversedAt: IsNull() });
    if (!earning) return;
    const moved = await this.repos.referralEarnings.update(
      botId,
      { id: earning.id, reversedAt: IsNull() },
      { reversedAt: new Date() },
    );
    if (moved !== 1) return;
    const referrer = await this.repos.users.findById(botId, earning.referrerId, 'pessimistic_write');
    const amountMinor = Math.min(earning.amountMinor, referrer?.balanceMinor ?? 0);
    if (amountMinor <= 0) return;
    await this.ledger.post(botId, {
      userId: earning.referrerId,
      type: 'referral',
      amountMinor: -amountMinor,
      idempotencyKey: `referral:${orderId}:reversal`,
      orderId,
      reference: `referral:${earning.referredId}`,
      note: amountMinor < earning.amountMinor ? `partly reversed: ${amountMinor} of ${earning.amountMinor}` : undefined,
    });
  }
}
