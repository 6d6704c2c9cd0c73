import { AreaChart, BarChart } from '@mantine/charts';
import { Anchor, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { ErrorAlert, Page, QueryState } from '../../components/Page';
import { useFormat } from '../../i18n/format';
import { isRtl } from '../../i18n';
import { DayRange, minorDigits, useBotId, utcDay, type Schemas } from './sales/shared';

/** A time zone as the reader's language names it ("Iran Standard Time", "وقت عادی ایران"), else its IANA name. */
function zoneName(locale: string, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'long' }).formatToParts(new Date());
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}

/** One figure with its label. */
function Figure({ label, value, extra }: { label: string; value: ReactNode; extra?: ReactNode }) {
  return (
    <Card withBorder padding="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz={{ base: 'lg', sm: 'xl' }} style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
      {extra}
    </Card>
  );
}

/** A chart in a card; `testId` names its container for the browser test. */
function ChartCard({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <Card withBorder padding="md" data-testid={testId}>
      <Title order={4} mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

function Charts({ stats }: { stats: Schemas['BotStatsDto'] }) {
  const { t, i18n } = useTranslation('sales');
  const f = useFormat();
  const rtl = isRtl(i18n.language);
  const scale = 10 ** minorDigits(stats.currency);
  const data = stats.byDay.map((d) => ({
    day: d.date,
    revenue: d.revenueMinor / scale,
    sales: d.sales,
    newUsers: d.newUsers,
  }));
  const dayLabel = (day: string) =>
    new Intl.DateTimeFormat(f.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${day}T00:00:00Z`),
    );
  // Time runs right to left in a right-to-left page: the newest day and the value axis sit on the reading side.
  const compact = new Intl.NumberFormat(f.locale, { notation: 'compact', maximumFractionDigits: 1 });
  const xAxisProps = { reversed: rtl, tickFormatter: dayLabel };
  const yAxisProps = {
    orientation: rtl ? ('right' as const) : ('left' as const),
    width: 48,
    tickFormatter: (v: number) => compact.format(v),
    // Mantine nudges ticks 10px off a left axis; a right one needs the nudge the other way.
    ...(rtl ? { tick: { transform: 'translate(10, 0)', fontSize: 12, fill: 'currentColor' } } : {}),
  };
  const counts = { ...yAxisProps, allowDecimals: false };
  const common = { h: 240, data, dataKey: 'day', dir: 'ltr' as const, xAxisProps, tickLine: 'y' as const };
  return (
    <Stack gap="md">
      <ChartCard title={t('revenue_by_day')} testId="chart-revenue">
        <AreaChart
          {...common}
          yAxisProps={yAxisProps}
          series={[{ name: 'revenue', label: t('revenue'), color: 'indigo.6' }]}
          curveType="monotone"
          withDots={false}
          valueFormatter={(v) => f.money(Math.round(v * scale), stats.currency)}
        />
      </ChartCard>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ChartCard title={t('sales_by_day')} testId="chart-sales">
          <BarChart
            {...common}
            yAxisProps={counts}
            series={[{ name: 'sales', label: t('sales'), color: 'teal.6' }]}
            valueFormatter={(v) => f.number(v)}
          />
        </ChartCard>
        <ChartCard title={t('new_users_by_day')} testId="chart-users">
          <BarChart
            {...common}
            yAxisProps={counts}
            series={[{ name: 'newUsers', label: t('new_users'), color: 'orange.6' }]}
            valueFormatter={(v) => f.number(v)}
          />
        </ChartCard>
      </SimpleGrid>
    </Stack>
  );
}

/** The shop at a glance: sales, revenue and new users by day for a range, receipts waiting, the wholesale wallet. */
export function DashboardPage() {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const can = useCan();
  const botId = useBotId();
  // Until the user picks a range, the API's default: the 30 days ending today in the shop's time zone, which
  // may already be tomorrow in UTC (or still yesterday).
  const [picked, setRange] = useState<{ from: string; to: string } | null>(null);
  const valid = !picked || (!!picked.from && !!picked.to && picked.from <= picked.to);

  const stats = useQuery({
    queryKey: ['stats', botId, picked?.from, picked?.to],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/stats', {
          params: { path: { botId }, query: picked ? { from: picked.from, to: picked.to } : {} },
        }),
      ),
    enabled: valid,
  });
  const range =
    picked ?? (stats.data ? { from: stats.data.from, to: stats.data.to } : { from: utcDay(-29), to: utcDay() });
  const pending = useQuery({
    queryKey: ['card-payments', botId, 'pending-count'],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/card-payments', {
          params: { path: { botId }, query: { status: 'pending', pageSize: 1 } },
        }),
      ),
    enabled: can('receipts'),
  });
  const wallet = useQuery({
    queryKey: ['wallet', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/wallet', { params: { path: { botId } } })),
    enabled: can('wallet'),
  });

  return (
    <Page title={t('dashboard')} actions={<DayRange from={range.from} to={range.to} onChange={setRange} />}>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {can('receipts') && (
          <Figure
            label={t('pending_receipts')}
            value={pending.data ? f.number(pending.data.total) : '…'}
            extra={
              <Anchor component={Link} to={`/bots/${botId}/receipts`} size="sm">
                {t('review_receipts')}
              </Anchor>
            }
          />
        )}
        {can('wallet') && wallet.data && (
          <>
            <Figure label={t('wallet_free')} value={f.money(wallet.data.availableMinor, wallet.data.currency)} />
            <Figure label={t('wallet_held')} value={f.money(wallet.data.heldMinor, wallet.data.currency)} />
          </>
        )}
        {stats.data && (
          <Figure label={t('active_subscriptions')} value={f.number(stats.data.totals.activeSubscriptions)} />
        )}
      </SimpleGrid>
      {wallet.isError && <ErrorAlert error={wallet.error} />}
      {!valid ? (
        <Text c="red">{t('bad_range')}</Text>
      ) : (
        <QueryState query={stats}>
          {(s) => (
            <Stack gap="md">
              <SimpleGrid cols={{ base: 2, sm: 3 }}>
                <Figure label={t('sales')} value={f.number(s.totals.sales)} />
                <Figure label={t('revenue')} value={f.money(s.totals.revenueMinor, s.currency)} />
                <Figure label={t('new_users')} value={f.number(s.totals.newUsers)} />
              </SimpleGrid>
              <Group gap="xs">
                <Text size="sm" c="dimmed">
                  {t('range_note', {
                    // Noon: the day itself in the reader's own zone, whichever side of UTC it is.
                    from: f.date(`${s.from}T12:00:00Z`),
                    to: f.date(`${s.to}T12:00:00Z`),
                    zone: zoneName(f.locale, s.timeZone),
                  })}
                </Text>
              </Group>
              <Charts stats={s} />
            </Stack>
          )}
        </QueryState>
      )}
    </Page>
  );
}
