import { Injectable } from '@nestjs/common';
import { LessThanOrEqual } from 'typeorm';
import { TenantRepositories } from '@botfleet/dal';

export interface ExpireGatewayPaymentsInput {
  botId: string;
  gateway: string;
  now?: Date;
  /** Payments the gateway just reported as paid-but-unverified: never expired here (they are being settled). */
  keep?: ReadonlySet<string>;
}

/**
 * Pending payments of a gateway past their deadline become `expired`, each by a conditional update (a settle that
 * wins the race keeps its payment). Money that still arrives for an expired payment is settled all the same
 * (SettleGatewayPaymentUseCase accepts it; a closed order sends it to the wallet). Returns the expired ids.
 */
@Injectable()
export class ExpireGatewayPaymentsUseCase {
  constructor(private readonly repos: TenantRepositories) {}

  async execute({ botId, gateway, now = new Date(), keep }: ExpireGatewayPaymentsInput): Promise<string[]> {
    const due = await this.repos.gatewayPayments.find(botId, {
      where: { gateway, status: 'pending', expiresAt: LessThanOrEqual(now) },
      take: 500,
    });
    const expired: string[] = [];
    for (const p of due) {
      if (p.externalId && keep?.has(p.externalId)) continue;
      const changed = await this.repos.gatewayPayments.update(
        botId,
        { id: p.id, status: 'pending' },
        { status: 'expired', failureReason: 'not paid in time' },
      );
      if (changed) expired.push(p.id);
    }
    return expired;
  }
}
