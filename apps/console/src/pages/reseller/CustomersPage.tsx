import { Anchor, Group, Select, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { Page, QueryState } from '../../components/Page';
import { PagedTable } from '../../components/DataTable';
import { useFormat } from '../../i18n/format';
import { CustomerCard } from './sales/CustomerCard';
import { CustomerName, StatusBadge, useBotId, useCurrency } from './sales/shared';

function CustomerList() {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const botId = useBotId();
  const currency = useCurrency(botId);
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<'active' | 'blocked' | null>(null);
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const query = {
    page,
    pageSize: 20,
    ...(debounced ? { search: debounced.slice(0, 100) } : {}),
    ...(status ? { status } : {}),
  };
  const users = useQuery({
    queryKey: ['users', botId, query],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/users', { params: { path: { botId }, query } })),
    placeholderData: keepPreviousData,
  });
  return (
    <Page title={t('customers')}>
      <Group gap="xs" wrap="wrap" align="end">
        <TextInput
          size="sm"
          label={t('common:search')}
          placeholder={t('customer_search_hint')}
          value={search}
          onChange={(e) => {
            setPage(1);
            setSearch(e.currentTarget.value);
          }}
          w={320}
          maw="100%"
          type="search"
        />
        <Select
          size="sm"
          label={t('common:status')}
          placeholder={t('common:all')}
          clearable
          data={[
            { value: 'active', label: t('st_active') },
            { value: 'blocked', label: t('st_blocked') },
          ]}
          value={status}
          onChange={(v) => {
            setPage(1);
            setStatus(v as 'active' | 'blocked' | null);
          }}
          w={170}
        />
      </Group>
      <QueryState query={users}>
        {(data) => (
          <PagedTable
            data={data}
            onPage={setPage}
            minWidth={680}
            head={[t('name'), t('telegram_id'), t('common:status'), t('balance'), t('joined'), t('last_seen')]}
            row={(u) => (
              <>
                <Table.Td>
                  <Anchor component={Link} to={u.id} data-testid="customer-link">
                    <CustomerName user={u} />
                  </Anchor>
                </Table.Td>
                <Table.Td ff="monospace">{u.telegramId}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <StatusBadge status={u.status} />
                    {u.blockedBot && <StatusBadge status="left_bot" />}
                  </Group>
                </Table.Td>
                <Table.Td>{currency ? f.money(u.balanceMinor, currency) : '…'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.date(u.createdAt)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(u.lastSeenAt)}</Table.Td>
              </>
            )}
          />
        )}
      </QueryState>
    </Page>
  );
}

/** Customers: the searchable list, and a customer's card under customers/:userId. */
export function CustomersPage() {
  return (
    <Routes>
      <Route index element={<CustomerList />} />
      <Route path=":userId" element={<CustomerCard />} />
    </Routes>
  );
}
