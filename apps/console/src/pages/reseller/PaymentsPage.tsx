import { Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { PaymentViewMethod } from '../../api/enums';
import type { operations } from '../../api/schema';
import { Page, QueryState } from '../../components/Page';
import { useSalesFilters } from './sales/SalesFilters';
import { PagedTable } from '../../components/DataTable';
import { useCan } from '../../auth/session';
import { useFormat } from '../../i18n/format';
import { RefundPaymentButton } from './sales/SaleActions';
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
/** From the API's OpenAPI document (card to card plus the gateway registry): a new gateway shows up here. */
const METHODS = PaymentViewMethod;

/**
 * Payments of every method in one history, by method, status, customer and the days they were made; a gateway
 * payment the API can refund (Stars, CryptoBot) has a Refund action for a role that may refund (`wallet`).
 */
export function PaymentsPage() {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const botId = useBotId();
  const mayRefund = useCan()('wallet');
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
        {(data) => (
          <PagedTable
            data={data}
            onPage={setPage}
            minWidth={860}
            head={[
              t('created'),
              t('method'),
              t('purpose'),
              t('common:status'),
              t('amount'),
              t('customer'),
              t('reference'),
              t('paid_at'),
              mayRefund && '',
            ]}
            rowTestId="payment-row"
            row={(p) => (
              <>
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
                {mayRefund && <Table.Td>{p.refundable && <RefundPaymentButton botId={botId} payment={p} />}</Table.Td>}
              </>
            )}
          />
        )}
      </QueryState>
    </Page>
  );
}
