import { Alert, Button, Card, SimpleGrid, Table, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import { errorText, Page, QueryState } from '../../components/Page';
import { PagedTable } from '../../components/DataTable';
import { useFormat } from '../../i18n/format';
import { useBotId } from './sales/shared';

/** The ledger as CSV (the same GET with `Accept: text/csv`), saved as a file by the browser. */
async function downloadLedgerCsv(botId: string): Promise<void> {
  const res = await fetch(`/v1/bots/${encodeURIComponent(botId)}/wallet/ledger`, {
    credentials: 'same-origin',
    headers: { Accept: 'text/csv' },
  });
  if (!res.ok || !(res.headers.get('Content-Type') ?? '').includes('text/csv')) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(res.status, body.error?.code ?? `HTTP_${res.status}`, body.error?.message ?? res.statusText);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `wallet-ledger-${new Date().toISOString().slice(0, 10)}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The shop's wholesale wallet: free and held now, and every movement, with the ledger as CSV. */
export function WalletPage() {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const botId = useBotId();
  const [page, setPage] = useState(1);
  const wallet = useQuery({
    queryKey: ['wallet', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/wallet', { params: { path: { botId } } })),
  });
  const ledger = useQuery({
    queryKey: ['wallet-ledger', botId, page],
    queryFn: () =>
      unwrap(api.GET('/v1/bots/{botId}/wallet/ledger', { params: { path: { botId }, query: { page, pageSize: 20 } } })),
  });
  const csv = useMutation({ mutationFn: () => downloadLedgerCsv(botId) });
  return (
    <Page
      title={t('wallet')}
      actions={
        <Button size="sm" variant="light" loading={csv.isPending} onClick={() => csv.mutate()} data-testid="export-csv">
          {t('export_csv')}
        </Button>
      }
    >
      {csv.isError && (
        <Alert color="red" withCloseButton onClose={() => csv.reset()}>
          {errorText(csv.error)}
        </Alert>
      )}
      <QueryState query={wallet}>
        {(w) => (
          <SimpleGrid cols={{ base: 1, xs: 3 }}>
            {(
              [
                [t('wallet_free'), w.availableMinor],
                [t('wallet_held'), w.heldMinor],
                [t('wallet_balance'), w.balanceMinor],
              ] as const
            ).map(([label, minor]) => (
              <Card withBorder padding="md" key={label}>
                <Text size="sm" c="dimmed">
                  {label}
                </Text>
                <Text fw={700} fz={{ base: 'lg', sm: 'xl' }} style={{ overflowWrap: 'anywhere' }}>
                  {f.money(minor, w.currency)}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </QueryState>
      <QueryState query={ledger}>
        {(data) => (
          <PagedTable
            data={data}
            onPage={setPage}
            minWidth={820}
            head={[t('when'), t('type'), t('amount'), t('balance_after'), t('held_after'), t('note'), t('by')]}
            row={(e) => (
              <>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(e.createdAt)}</Table.Td>
                <Table.Td>{t(`lt_${e.type}`, { defaultValue: e.type })}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.money(e.amountMinor, e.currency)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.money(e.balanceAfterMinor, e.currency)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.money(e.heldAfterMinor, e.currency)}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.note ?? e.reference ?? '—'}</Table.Td>
                <Table.Td>{e.createdBy}</Table.Td>
              </>
            )}
          />
        )}
      </QueryState>
    </Page>
  );
}
