import { Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { operations } from '../../api/schema';
import { Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';
import { useUserFilter } from './OrdersPage';
import { CustomerLink, DayRange, dayStart, MethodLabel, StatusBadge, useBotId } from './sales/shared';

type PaymentQuery = NonNullable<operations['PaymentsController_list']['parameters']['query']>;
const STATUSES = [
  'awaiting_receipt',
  'pending',
  'approved',
  'rejected',
  'paid',
  'failed',
  'expired',
  'refunded',
] as const;
const METHODS = ['card_to_card', 'zarinpal', 'stars', 'cryptobot'] as const;

/** Payments of every method in one history, by method, status, customer and the days they were made. */
export function PaymentsPage() {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const botId = useBotId();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | null>(null);
  const [method, setMethod] = useState<string | null>(null);
  const [range, setRange] = useState({ from: '', to: '' });
  const [userText, setUserText, userId] = useUserFilter();
  const query: PaymentQuery = {
    page,
    pageSize: 20,
    ...(status ? { status: status as PaymentQuery['status'] } : {}),
    ...(method ? { method } : {}),
    ...(userId ? { userId } : {}),
    ...(range.from ? { from: dayStart(range.from) } : {}),
    // `to` is exclusive: the whole last day counts.
    ...(range.to ? { to: dayStart(range.to, 1) } : {}),
  };
  const payments = useQuery({
    queryKey: ['payments', botId, query],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/payments', { params: { path: { botId }, query } })),
  });
  const reset =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      setPage(1);
      set(v);
    };
  return (
    <Page title={t('payments')}>
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
      <QueryState query={payments}>
        {(data) =>
          data.items.length === 0 ? (
            <Text c="dimmed">{t('common:empty')}</Text>
          ) : (
            <>
              <Table.ScrollContainer minWidth={860}>
                <Table striped highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('created')}</Table.Th>
                      <Table.Th>{t('method')}</Table.Th>
                      <Table.Th>{t('purpose')}</Table.Th>
                      <Table.Th>{t('common:status')}</Table.Th>
                      <Table.Th>{t('amount')}</Table.Th>
                      <Table.Th>{t('customer')}</Table.Th>
                      <Table.Th>{t('reference')}</Table.Th>
                      <Table.Th>{t('paid_at')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((p) => (
                      <Table.Tr key={p.id}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(p.createdAt)}</Table.Td>
                        <Table.Td>
                          <MethodLabel method={p.method} />
                        </Table.Td>
                        <Table.Td>{p.purpose === 'topup' ? t('purpose_topup') : t('purpose_order')}</Table.Td>
                        <Table.Td>
                          <StatusBadge status={p.status} />
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.money(p.amountMinor, p.currency)}</Table.Td>
                        <Table.Td>
                          <CustomerLink botId={botId} userId={p.userId} />
                        </Table.Td>
                        <Table.Td ff="monospace">{p.reference ?? '—'}</Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(p.paidAt)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={setPage} />
            </>
          )
        }
      </QueryState>
    </Page>
  );
}
