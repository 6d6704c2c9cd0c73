import { Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { operations } from '../../api/schema';
import { Page, QueryState } from '../../components/Page';
import { useSalesFilters } from './sales/SalesFilters';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';
import { CustomerLink, MethodLabel, StatusBadge, useBotId } from './sales/shared';

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
  const { page, setPage, values, bar } = useSalesFilters(STATUSES, METHODS);
  const query = { page, pageSize: 20, ...values } as PaymentQuery;

  const payments = useQuery({
    queryKey: ['payments', botId, query],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/payments', { params: { path: { botId }, query } })),
  });

  return (
    <Page title={t('payments')}>
      {bar}
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
