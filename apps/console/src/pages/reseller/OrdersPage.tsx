import { Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { operations } from '../../api/schema';
import { Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';
import { CustomerLink, DayRange, dayStart, MethodLabel, StatusBadge, useBotId, type Schemas } from './sales/shared';

type OrderQuery = NonNullable<operations['SalesController_orders']['parameters']['query']>;
const STATUSES = ['pending', 'paid', 'fulfilling', 'fulfilled', 'rejected', 'expired', 'failed', 'refunded'] as const;
const METHODS = ['card_to_card', 'zarinpal', 'stars', 'wallet', 'free'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The customer filter shared by orders and payments: a user id (a customer's card links here with it). */
export function useUserFilter(): [string, (v: string) => void, string | undefined] {
  const [params, setParams] = useSearchParams();
  const userId = params.get('userId') ?? '';
  const set = (v: string) =>
    setParams(
      (p) => {
        if (v) p.set('userId', v);
        else p.delete('userId');
        return p;
      },
      { replace: true },
    );
  return [userId, set, UUID.test(userId.trim()) ? userId.trim() : undefined];
}

function OrdersTable({
  botId,
  items,
  withCustomer = true,
}: {
  botId: string;
  items: Schemas['OrderDto'][];
  withCustomer?: boolean;
}) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  return (
    <Table.ScrollContainer minWidth={withCustomer ? 760 : 560}>
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('created')}</Table.Th>
            {withCustomer && <Table.Th>{t('customer')}</Table.Th>}
            <Table.Th>{t('kind')}</Table.Th>
            <Table.Th>{t('common:status')}</Table.Th>
            <Table.Th>{t('method')}</Table.Th>
            <Table.Th>{t('amount')}</Table.Th>
            <Table.Th>{t('paid_at')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((o) => (
            <Table.Tr key={o.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(o.createdAt)}</Table.Td>
              {withCustomer && (
                <Table.Td>
                  <CustomerLink botId={botId} userId={o.userId} />
                </Table.Td>
              )}
              <Table.Td>{t(`kind_${o.kind}`, { defaultValue: o.kind })}</Table.Td>
              <Table.Td>
                <StatusBadge status={o.status} />
              </Table.Td>
              <Table.Td>
                <MethodLabel method={o.method} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.money(o.amountMinor, o.currency)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(o.paidAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The shop's orders, newest first, by status, method, customer and the days they were made. */
export function OrdersPage() {
  const { t } = useTranslation('sales');
  const botId = useBotId();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | null>(null);
  const [method, setMethod] = useState<string | null>(null);
  const [range, setRange] = useState({ from: '', to: '' });
  const [userText, setUserText, userId] = useUserFilter();
  const query: OrderQuery = {
    page,
    pageSize: 20,
    ...(status ? { status: status as OrderQuery['status'] } : {}),
    ...(method ? { method: method as OrderQuery['method'] } : {}),
    ...(userId ? { userId } : {}),
    ...(range.from ? { from: dayStart(range.from) } : {}),
    // `to` is exclusive: the whole last day counts.
    ...(range.to ? { to: dayStart(range.to, 1) } : {}),
  };
  const orders = useQuery({
    queryKey: ['orders', botId, query],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/orders', { params: { path: { botId }, query } })),
  });
  const reset =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      setPage(1);
      set(v);
    };
  return (
    <Page title={t('orders')}>
      <Group gap="xs" wrap="wrap" align="end">
        <Select
          size="sm"
          label={t('common:status')}
          placeholder={t('common:all')}
          clearable
          data={STATUSES.map((s) => ({ value: s, label: t(`st_${s}`) }))}
          value={status}
          onChange={reset(setStatus)}
          w={170}
        />
        <Select
          size="sm"
          label={t('method')}
          placeholder={t('common:all')}
          clearable
          data={METHODS.map((m) => ({ value: m, label: t(`m_${m}`) }))}
          value={method}
          onChange={reset(setMethod)}
          w={170}
        />
        <TextInput
          size="sm"
          label={t('customer_id')}
          placeholder="uuid"
          value={userText}
          onChange={(e) => reset(setUserText)(e.currentTarget.value)}
          error={userText && !userId ? t('bad_user_id') : undefined}
          w={320}
          maw="100%"
        />
        <DayRange from={range.from} to={range.to} onChange={reset(setRange)} />
      </Group>
      <QueryState query={orders}>
        {(data) =>
          data.items.length === 0 ? (
            <Text c="dimmed">{t('common:empty')}</Text>
          ) : (
            <>
              <OrdersTable botId={botId} items={data.items} />
              <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={setPage} />
            </>
          )
        }
      </QueryState>
    </Page>
  );
}

export { OrdersTable };
