import { BarChart, DonutChart } from '@mantine/charts';
import { Anchor, Card, ColorSwatch, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { Page, QueryState } from '../../components/Page';
import { useFormat } from '../../i18n/format';
import { BOT_STATUSES, fromMinor } from './shared';

const STATUS_CHART_COLOR: Record<string, string> = {
  active: 'teal.6',
  paused: 'yellow.6',
  suspended: 'red.6',
  token_invalid: 'orange.6',
  deleted: 'gray.5',
};

function Total({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <Card withBorder radius="md" padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={26} fw={700} data-total={label}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

function ChartCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder radius="md" padding="md">
      <Stack gap="sm">
        <Title order={4}>{title}</Title>
        {children}
      </Stack>
    </Card>
  );
}

/** The platform at a glance: tenants by status, users, sales and wallets per currency, panels, invites. */
export function StatsPage() {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const query = useQuery({
    queryKey: ['operator', 'stats'],
    queryFn: () => unwrap(api.GET('/v1/admin/stats')),
    refetchInterval: 60_000,
  });
  return (
    <Page
      title={t('stats')}
      actions={
        <Anchor href="/admin/queues" target="_blank" rel="noopener" size="sm" data-queues-link>
          {t('queueDashboard')} ↗
        </Anchor>
      }
    >
      <QueryState query={query}>
        {(s) => {
          const byStatus = BOT_STATUSES.map((status) => ({
            name: t(`status_${status}`),
            value: s.bots.byStatus[status] ?? 0,
            color: STATUS_CHART_COLOR[status],
          })).filter((d) => d.value > 0);
          const revenue = s.sales.map((r) => ({
            currency: r.currency,
            revenue: fromMinor(r.revenueMinor, r.currency),
            orders: r.orders,
          }));
          const wallets = s.wallets.map((w) => ({
            currency: w.currency,
            free: fromMinor(w.balanceMinor - w.heldMinor, w.currency),
            held: fromMinor(w.heldMinor, w.currency),
          }));
          return (
            <Stack gap="md">
              <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
                <Total
                  label={t('tenants')}
                  value={f.number(s.bots.total)}
                  hint={t('activeCount', { n: f.number(s.bots.byStatus.active ?? 0) })}
                />
                <Total
                  label={t('users')}
                  value={f.number(s.users.total)}
                  hint={t('blockedCount', { n: f.number(s.users.blocked) })}
                />
                <Total label={t('activeSubscriptions')} value={f.number(s.subscriptions.active)} />
                <Total label={t('paidOrders')} value={f.number(s.sales.reduce((n, r) => n + r.orders, 0))} />
                <Total
                  label={t('panels')}
                  value={f.number(s.panels.total)}
                  hint={t('activeCount', { n: f.number(s.panels.active) })}
                />
                <Total
                  label={t('invites')}
                  value={f.number(s.invites.active)}
                  hint={t('usedCount', { n: f.number(s.invites.used) })}
                />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
                <ChartCard title={t('tenantsByStatus')}>
                  {byStatus.length === 0 ? (
                    <Text c="dimmed">{t('common:empty')}</Text>
                  ) : (
                    <Stack align="center" gap="sm">
                      <DonutChart
                        data={byStatus}
                        withTooltip
                        tooltipDataSource="segment"
                        chartLabel={f.number(s.bots.total)}
                        valueFormatter={(v) => f.number(v)}
                        size={180}
                        styles={{ label: { fontSize: 'var(--mantine-font-size-xl)', fontWeight: 700 } }}
                        thickness={28}
                        data-chart="status"
                      />
                      <Group gap="md" justify="center" wrap="wrap">
                        {byStatus.map((d) => (
                          <Group key={d.name} gap={6} wrap="nowrap">
                            <ColorSwatch color={`var(--mantine-color-${d.color.replace('.', '-')})`} size={12} />
                            <Text size="sm">
                              {d.name}: {f.number(d.value)}
                            </Text>
                          </Group>
                        ))}
                      </Group>
                    </Stack>
                  )}
                </ChartCard>
                <ChartCard title={t('revenueByCurrency')}>
                  {revenue.length === 0 ? (
                    <Text c="dimmed">{t('noSales')}</Text>
                  ) : (
                    <BarChart
                      h={220}
                      data={revenue}
                      dataKey="currency"
                      series={[{ name: 'revenue', label: t('revenue'), color: 'indigo.6' }]}
                      valueFormatter={(v) => f.number(v)}
                      tickLine="y"
                      data-chart="revenue"
                    />
                  )}
                </ChartCard>
                <ChartCard title={t('walletsByCurrency')}>
                  {wallets.length === 0 ? (
                    <Text c="dimmed">{t('common:empty')}</Text>
                  ) : (
                    <BarChart
                      h={220}
                      data={wallets}
                      dataKey="currency"
                      type="stacked"
                      withLegend
                      series={[
                        { name: 'free', label: t('walletFree'), color: 'teal.6' },
                        { name: 'held', label: t('walletHeld'), color: 'orange.5' },
                      ]}
                      valueFormatter={(v) => f.number(v)}
                      tickLine="y"
                      data-chart="wallets"
                    />
                  )}
                </ChartCard>
              </SimpleGrid>
              <Card withBorder radius="md" padding="md">
                <Table.ScrollContainer minWidth={480}>
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('currency')}</Table.Th>
                        <Table.Th>{t('paidOrders')}</Table.Th>
                        <Table.Th>{t('revenue')}</Table.Th>
                        <Table.Th>{t('walletFree')}</Table.Th>
                        <Table.Th>{t('walletHeld')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {[...new Set([...s.sales.map((r) => r.currency), ...s.wallets.map((w) => w.currency)])].map(
                        (c) => {
                          const sale = s.sales.find((r) => r.currency === c);
                          const wallet = s.wallets.find((w) => w.currency === c);
                          return (
                            <Table.Tr key={c}>
                              <Table.Td>{c}</Table.Td>
                              <Table.Td>{f.number(sale?.orders ?? 0)}</Table.Td>
                              <Table.Td>{f.money(sale?.revenueMinor ?? 0, c)}</Table.Td>
                              <Table.Td>{f.money((wallet?.balanceMinor ?? 0) - (wallet?.heldMinor ?? 0), c)}</Table.Td>
                              <Table.Td>{f.money(wallet?.heldMinor ?? 0, c)}</Table.Td>
                            </Table.Tr>
                          );
                        },
                      )}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                <Text size="xs" c="dimmed" mt="xs">
                  {t('generatedAt', { when: f.dateTime(s.generatedAt) })}
                </Text>
              </Card>
            </Stack>
          );
        }}
      </QueryState>
    </Page>
  );
}
