import { Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { OrderPaymentMethod } from '../../api/enums';
import type { operations } from '../../api/schema';
import { Page, QueryState } from '../../components/Page';
import { useSalesFilters } from './sales/SalesFilters';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';
import { canRefundOrder, RefundOrderButton } from './sales/SaleActions';
import { CustomerLink, MethodLabel, StatusBadge, useBotId, type Schemas } from './sales/shared';

type OrderQuery = NonNullable<operations['SalesController_orders']['parameters']['query']>;
const STATUSES = ['pending', 'paid', 'fulfilling', 'fulfilled', 'rejected', 'expired', 'failed', 'refunded'] as const;
/** From the API's OpenAPI document (the gateway registry plus card, wallet, free): a new gateway shows up here. */
const METHODS = OrderPaymentMethod;

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
  // Refunding takes back a sale, as approving made it: the `receipts` permission (owner, admin).
  const refunds = useCan()('receipts');
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
            {refunds && <Table.Th />}
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
              {refunds && <Table.Td>{canRefundOrder(o) && <RefundOrderButton botId={botId} order={o} />}</Table.Td>}
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
  const { page, setPage, values, bar } = useSalesFilters(STATUSES, METHODS);
  const query = { page, pageSize: 20, ...values } as OrderQuery;

  const orders = useQuery({
    queryKey: ['orders', botId, query],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/orders', { params: { path: { botId }, query } })),
  });

  return (
    <Page title={t('orders')}>
      {bar}
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
