import { ColumnOptions, ValueTransformer } from 'typeorm';

/**
 * bigint columns (money in minor units, Telegram ids, bytes) as JS numbers. Values beyond
 * 2^53 would lose precision, so reading one throws instead of silently rounding.
 */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => {
    if (v === null || v === undefined) return v;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new Error(`bigint value out of safe range`);
    return n;
  },
};

export const BigIntColumn = (opts: ColumnOptions = {}): ColumnOptions => ({
  type: 'bigint',
  transformer: bigintNumber,
  ...opts,
});

export type TenantOwned = { botId: string };
