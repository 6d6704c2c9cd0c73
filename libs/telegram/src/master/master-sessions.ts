import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';

/** The wholesale price the operator typed, waiting for the confirm tap. */
export interface TypedPrice {
  perPlanMinor: number;
  perGbMinor: number;
  perDayMinor: number;
  unlimitedTrafficGb: number;
}

/** What the console waits for from one operator: a typed answer, or the confirm tap after one. */
export type MasterStep =
  | { step: 'search' }
  | { step: 'reason'; botId: string }
  | { step: 'reasonGiven'; botId: string; reason: string }
  | { step: 'amount'; botId: string }
  | { step: 'adjust'; botId: string }
  | { step: 'adjustGiven'; botId: string; amountMinor: number; note: string; nonce: string }
  | { step: 'price'; botId: string }
  | { step: 'priceGiven'; botId: string; price: TypedPrice };

const STEP_TTL_S = 15 * 60;
const SEARCH_TTL_S = 60 * 60;

function isStep(v: unknown): v is MasterStep {
  if (!v || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  const bot = typeof s.botId === 'string';
  switch (s.step) {
    case 'search':
      return true;
    case 'reason':
    case 'amount':
    case 'adjust':
    case 'price':
      return bot;
    case 'adjustGiven':
      return bot && Number.isSafeInteger(s.amountMinor) && typeof s.note === 'string' && typeof s.nonce === 'string';
    case 'reasonGiven':
      return bot && typeof s.reason === 'string';
    case 'priceGiven':
      return bot && !!s.price && typeof s.price === 'object';
    default:
      return false;
  }
}

/**
 * The operator's place in a multi-step action (a reason to type, an amount, a price) and their last tenant
 * search, in Redis per Telegram user of the master bot, for a quarter of an hour (a search for an hour).
 * Only ever read back for that same operator.
 */
@Injectable()
export class MasterSessions {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private key(what: 'step' | 'search', adminId: number): string {
    return `${this.config.REDIS_PREFIX}:master-console:${what}:${adminId}`;
  }

  async step(adminId: number): Promise<MasterStep | null> {
    const raw = await this.redis.get(this.key('step', adminId));
    if (!raw) return null;
    try {
      const v: unknown = JSON.parse(raw);
      return isStep(v) ? v : null;
    } catch {
      return null;
    }
  }

  async setStep(adminId: number, step: MasterStep): Promise<void> {
    await this.redis.set(this.key('step', adminId), JSON.stringify(step), 'EX', STEP_TTL_S);
  }

  async clearStep(adminId: number): Promise<void> {
    await this.redis.del(this.key('step', adminId));
  }

  async search(adminId: number): Promise<string | null> {
    return this.redis.get(this.key('search', adminId));
  }

  async setSearch(adminId: number, query: string | null): Promise<void> {
    if (query) await this.redis.set(this.key('search', adminId), query, 'EX', SEARCH_TTL_S);
    else await this.redis.del(this.key('search', adminId));
  }
}
