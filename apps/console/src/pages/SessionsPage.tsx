import { Badge, Button, Table } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { useSession } from '../auth/session';
import { Page, QueryState } from '../components/Page';
import { useFormat } from '../i18n/format';

/** The caller's console sessions; any but this one can be revoked (a phone left signed in, say). */
export function SessionsPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const current = useSession();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['sessions'], queryFn: () => unwrap(api.GET('/v1/sessions')) });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/sessions/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['sessions'] }),
  });
  return (
    <Page title={t('sessions')}>
      <QueryState query={query}>
        {(data) => (
          <Table.ScrollContainer minWidth={560}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('created')}</Table.Th>
                  <Table.Th>{t('lastSeen')}</Table.Th>
                  <Table.Th>{t('expires')}</Table.Th>
                  <Table.Th>{t('role')}</Table.Th>
                  <Table.Th>{t('device')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>{f.dateTime(s.createdAt)}</Table.Td>
                    <Table.Td>{f.dateTime(s.lastSeenAt)}</Table.Td>
                    <Table.Td>{f.dateTime(s.expiresAt)}</Table.Td>
                    <Table.Td>{s.role}</Table.Td>
                    <Table.Td maw={280} style={{ overflowWrap: 'anywhere' }}>
                      {s.userAgent ?? '—'}
                    </Table.Td>
                    <Table.Td>
                      {s.current || s.id === current.id ? (
                        <Badge variant="light">{t('thisSession')}</Badge>
                      ) : (
                        <Button size="xs" color="red" variant="light" onClick={() => revoke.mutate(s.id)}>
                          {t('revoke')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Page>
  );
}
