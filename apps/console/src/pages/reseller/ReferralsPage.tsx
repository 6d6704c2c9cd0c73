import { Badge, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';
import { CustomerLink, StatusBadge, useBotId, useCurrency, type Schemas } from './sales/shared';

/** Referral commissions, newest first: who earned, whom they brought, on which order, how much, and whether it stands. */
export function EarningsTable({
  botId,
  items,
  withReferrer = true,
}: {
  botId: string;
  items: Schemas['ReferralEarningDto'][];
  withReferrer?: boolean;
}) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const currency = useCurrency(botId) ?? '';
  return (
    <Table.ScrollContainer minWidth={withReferrer ? 720 : 520}>
      <Table striped highlightOnHover data-testid="referral-earnings">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('when')}</Table.Th>
            {withReferrer && <Table.Th>{t('referrer')}</Table.Th>}
            <Table.Th>{t('referred_customer')}</Table.Th>
            <Table.Th>{t('order')}</Table.Th>
            <Table.Th>{t('commission')}</Table.Th>
            <Table.Th>{t('common:status')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(e.createdAt)}</Table.Td>
              {withReferrer && (
                <Table.Td>
                  <CustomerLink botId={botId} userId={e.referrerId} />
                </Table.Td>
              )}
              <Table.Td>
                <CustomerLink botId={botId} userId={e.referredId} />
              </Table.Td>
              <Table.Td>
                <Text ff="monospace" size="sm" title={e.orderId}>
                  {e.orderId.slice(0, 8)}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }} td={e.reversedAt ? 'line-through' : undefined}>
                {f.money(e.amountMinor, currency)}
              </Table.Td>
              <Table.Td>
                {e.reversedAt ? (
                  <Badge variant="light" color="gray" title={f.dateTime(e.reversedAt)}>
                    {t('st_reversed')} · {f.date(e.reversedAt)}
                  </Badge>
                ) : (
                  <StatusBadge status="credited" />
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The shop's referral earnings (GET …/referral-earnings), every referrer, newest first. */
export function ReferralsPage() {
  const { t } = useTranslation('sales');
  const botId = useBotId();
  const [page, setPage] = useState(1);
  const earnings = useQuery({
    queryKey: ['referral-earnings', botId, page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/referral-earnings', { params: { path: { botId }, query: { page, pageSize: 20 } } }),
      ),
  });
  return (
    <Page title={t('referrals')}>
      <Text c="dimmed" size="sm" mb="sm">
        {t('referrals_note')}
      </Text>
      <QueryState query={earnings}>
        {(data) =>
          data.items.length === 0 ? (
            <Text c="dimmed">{t('common:empty')}</Text>
          ) : (
            <>
              <EarningsTable botId={botId} items={data.items} />
              <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={setPage} />
            </>
          )
        }
      </QueryState>
    </Page>
  );
}
