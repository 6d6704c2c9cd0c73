import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export const BOT_STATUSES = ['active', 'paused', 'suspended', 'token_invalid', 'deleted'] as const;
export type BotStatus = (typeof BOT_STATUSES)[number];

const STATUS_COLOR: Record<string, string> = {
  active: 'green',
  paused: 'yellow',
  suspended: 'red',
  token_invalid: 'orange',
  deleted: 'gray',
};

/** A bot's status as a coloured badge, in the user's language. */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation('operator');
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" data-status={status}>
      {t(`status_${status}`, { defaultValue: status })}
    </Badge>
  );
}

/** How many minor digits a currency has (IRR 0, USD 2), as Intl knows it. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return 0;
  }
}

/** An amount typed in whole currency units, as integer minor units (what the API takes). */
export function toMinor(amount: number, currency: string): number {
  return Math.round(amount * 10 ** minorDigits(currency));
}

/** Minor units as the amount a person types. */
export function fromMinor(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}
