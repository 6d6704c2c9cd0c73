import { Anchor, Badge, Group, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema';
import { useCan } from '../../../auth/session';
import { useFormat } from '../../../i18n/format';

export type Schemas = components['schemas'];

/** The bot of the page (the route's :botId). */
export function useBotId(): string {
  const { botId } = useParams();
  if (!botId) throw new Error('a reseller page outside /bots/:botId');
  return botId;
}

/** The bot itself; its currency is what every money field of its pages is in. */
export function useBot(botId: string) {
  return useQuery({
    queryKey: ['bot', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}', { params: { path: { botId } } })),
    staleTime: 5 * 60_000,
  });
}

/** The bot's currency once known; money shown before it loads would be in the wrong unit, so callers wait. */
export function useCurrency(botId: string): string | undefined {
  return useBot(botId).data?.currency;
}

/** How many minor digits a currency has (IRR 0, USD 2), as Intl knows it. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return 0;
  }
}

/** UTC day `YYYY-MM-DD`, `days` from today. */
export function utcDay(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The start of a UTC day as ISO date-time, for filters that take instants. */
export function dayStart(day: string, plusDays = 0): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + plusDays * 86_400_000).toISOString();
}

const STATUS_COLORS: Record<string, string> = {
  active: 'green',
  approved: 'green',
  paid: 'green',
  fulfilled: 'green',
  credited: 'green',
  pending: 'yellow',
  awaiting_receipt: 'gray',
  fulfilling: 'blue',
  in_review: 'yellow',
  blocked: 'red',
  rejected: 'red',
  failed: 'red',
  refunded: 'grape',
  expired: 'gray',
  disabled: 'gray',
};

/** A status as a coloured badge in the user's language (unknown statuses show as they are). */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation('sales');
  return (
    <Badge
      variant="light"
      color={STATUS_COLORS[status] ?? 'gray'}
      // A badge never shrinks into "Deliv…" when a table on a phone runs short of width.
      styles={{ root: { overflow: 'visible', flexShrink: 0 }, label: { overflow: 'visible' } }}
    >
      {t(`st_${status}`, { defaultValue: status })}
    </Badge>
  );
}

/** A payment method in the user's language. */
export function MethodLabel({ method }: { method: string | null | undefined }) {
  const { t } = useTranslation('sales');
  if (!method) return <>—</>;
  return <>{t(`m_${method}`, { defaultValue: method })}</>;
}

/** A customer by name (when the role may look customers up), linking to their card. */
export function CustomerLink({ botId, userId }: { botId: string; userId: string }) {
  const can = useCan();
  const allowed = can('lookup');
  const user = useQuery({
    queryKey: ['user', botId, userId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/users/{userId}', { params: { path: { botId, userId } } })),
    enabled: allowed,
    staleTime: 60_000,
  });
  const label = user.data ? <CustomerName user={user.data} /> : `${userId.slice(0, 8)}…`;
  if (!allowed)
    return (
      <Text span inherit>
        {label}
      </Text>
    );
  return (
    <Anchor component={Link} to={`/bots/${botId}/customers/${userId}`} inherit>
      {label}
    </Anchor>
  );
}

/** A customer's name and @username, the username kept left to right inside Persian text (no "sara@"). */
export function CustomerName({ user }: { user: Schemas['UserDto'] }) {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  if (!name && !user.username) return <>{user.telegramId}</>;
  return (
    <>
      {name && <bdi>{name}</bdi>}
      {name && user.username && ' '}
      {user.username && <bdi dir="ltr">@{user.username}</bdi>}
    </>
  );
}

export function customerName(u: Schemas['UserDto']): string {
  const name = [u.firstName, u.lastName].filter(Boolean).join(' ');
  return [name || null, u.username ? `@${u.username}` : null].filter(Boolean).join(' ') || String(u.telegramId);
}

/** A from–to pair of UTC days. */
export function DayRange({
  from,
  to,
  onChange,
}: {
  from: string;
  to: string;
  onChange: (range: { from: string; to: string }) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <Group gap="xs" wrap="wrap" align="end">
      <TextInput
        type="date"
        size="sm"
        label={t('from')}
        description={f.inputNote(from)}
        value={from}
        max={to || undefined}
        onChange={(e) => onChange({ from: e.currentTarget.value, to })}
      />
      <TextInput
        type="date"
        size="sm"
        label={t('to')}
        description={f.inputNote(to)}
        value={to}
        min={from || undefined}
        onChange={(e) => onChange({ from, to: e.currentTarget.value })}
      />
    </Group>
  );
}
