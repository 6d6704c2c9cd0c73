import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import { ConfigurationsService } from '@botfleet/catalog';
import { PromoRepository, ReferralEarningRow, ReferralTotals, TenantRepositories } from '@botfleet/dal';

export interface ReferralSummary extends ReferralTotals {
  referralCode: string;
  /** The deep-link payload: `https://t.me/<bot>?start=<payload>`. */
  startPayload: string;
  commissionPercent: number;
  scope: 'first_purchase' | 'every_purchase';
}

/** What /ref shows and REST lists: a user's link, how many joined and bought, and what they earned. */
@Injectable()
export class ReferralQueries {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly promo: PromoRepository,
    private readonly configurations: ConfigurationsService,
  ) {}

  async summary(botId: string, userId: string): Promise<ReferralSummary> {
    const user = await this.repos.users.findById(botId, userId);
    if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    const [totals, commissionPercent, scope] = await Promise.all([
      this.promo.referralTotals(botId, userId),
      this.configurations.get(botId, 'referral_commission_percent'),
      this.configurations.get(botId, 'referral_commission_scope'),
    ]);
    return {
      ...totals,
      referralCode: user.referralCode,
      startPayload: `ref_${user.referralCode}`,
      commissionPercent,
      scope,
    };
  }

  /** Earnings of one referrer (userId) or of every referrer, newest first. */
  async earnings(
    botId: string,
    referrerId: string | null,
    page: number,
    pageSize: number,
  ): Promise<Page<ReferralEarningRow>> {
    if (referrerId && !(await this.repos.users.findById(botId, referrerId))) {
      throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    }
    const { rows, total } = await this.promo.earningsPage(botId, referrerId, pageOffset(page, pageSize), pageSize);
    return pageOf(rows, total, page, pageSize);
  }
}
