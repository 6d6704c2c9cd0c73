import { Anchor, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';
import { RestoreTenantButton } from './RestoreTenant';
import { BOT_STATUSES, StatusBadge, type BotStatus } from './shared';

const PAGE_SIZE = 20;

/**
 * Every tenant with its status, wholesale wallet and sales. The search, filter and page live in the URL, so the
 * back button from a tenant's page returns to the same list.
 */
export function TenantsPage() {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const navigate = useNavigate();
  const location = useLocation();
  // The tenant's page links back to this list as it is now (search, filter, page).
  const back = { from: location.search };
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as BotStatus | '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [typed, setTyped] = useState(params.get('q') ?? '');
  const [search] = useDebouncedValue(typed.trim(), 300);

  const update = (next: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const p = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(next)) {
          if (v) p.set(k, v);
          else p.delete(k);
        }
        return p;
      },
      { replace: true },
    );

  useEffect(() => {
    if (search !== (params.get('q') ?? '')) update({ q: search || null, page: null });
    // Only the settled search text moves the URL (not every keystroke).
  }, [search]);

  const query = useQuery({
    queryKey: ['operator', 'tenants', { search, status, page }],
    queryFn: () =>
      unwrap(
        api.GET('/v1/admin/bots', {
          params: {
            query: {
              page,
              pageSize: PAGE_SIZE,
              ...(search ? { search } : {}),
              ...(status ? { status } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <Page title={t('tenants')}>
      <Group gap="sm" wrap="wrap" align="flex-end">
        <TextInput
          label={t('common:search')}
          placeholder={t('searchTenants')}
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          maxLength={100}
          style={{ flex: '1 1 240px' }}
          type="search"
        />
        <Select
          label={t('common:status')}
          data={[
            { value: '', label: t('allButDeleted') },
            ...BOT_STATUSES.map((s) => ({ value: s, label: t(`status_${s}`) })),
          ]}
          value={status}
          onChange={(v) => update({ status: v || null, page: null })}
          allowDeselect={false}
          w={200}
        />
      </Group>
      <QueryState query={query}>
        {(data) => (
          <Stack gap="sm">
            <Table.ScrollContainer minWidth={760}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('tenant')}</Table.Th>
                    <Table.Th>{t('common:status')}</Table.Th>
                    <Table.Th>{t('walletFree')}</Table.Th>
                    <Table.Th>{t('walletHeld')}</Table.Th>
                    <Table.Th>{t('sales')}</Table.Th>
                    <Table.Th>{t('revenue')}</Table.Th>
                    <Table.Th>{t('joined')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.length === 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={7}>
                        <Text c="dimmed" ta="center" py="md">
                          {t('noTenants')}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                  {data.items.map((b) => (
                    <Table.Tr
                      key={b.id}
                      data-tenant={b.id}
                      // A deleted tenant has no page until it is restored (its row offers that instead).
                      style={{ cursor: b.status === 'deleted' ? undefined : 'pointer' }}
                      onClick={() => b.status !== 'deleted' && navigate(`/operator/tenants/${b.id}`, { state: back })}
                    >
                      <Table.Td>
                        {b.status === 'deleted' ? (
                          <Text fw={500}>{b.name}</Text>
                        ) : (
                          <Anchor
                            component={Link}
                            to={`/operator/tenants/${b.id}`}
                            state={back}
                            fw={500}
                            onClick={(e) => e.stopPropagation()}
                          >
                            {b.name}
                          </Anchor>
                        )}
                        <Text size="xs" c="dimmed">
                          <span dir="ltr" style={{ unicodeBidi: 'isolate' }}>
                            @{b.telegramUsername}
                          </span>
                          {b.isMaster ? ` · ${t('masterBot')}` : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <StatusBadge status={b.status} />
                          {b.status === 'deleted' && <RestoreTenantButton bot={b} />}
                        </Group>
                      </Table.Td>
                      <Table.Td>{f.money(b.walletBalanceMinor - b.walletHeldMinor, b.currency)}</Table.Td>
                      <Table.Td>{f.money(b.walletHeldMinor, b.currency)}</Table.Td>
                      <Table.Td>{f.number(b.salesCount)}</Table.Td>
                      <Table.Td>{f.money(b.revenueMinor, b.currency)}</Table.Td>
                      <Table.Td>{f.date(b.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager
              total={data.total}
              page={data.page}
              pageSize={data.pageSize}
              onChange={(p) => update({ page: p > 1 ? String(p) : null })}
            />
          </Stack>
        )}
      </QueryState>
    </Page>
  );
}
