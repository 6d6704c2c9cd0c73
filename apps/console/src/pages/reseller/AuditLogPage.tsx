import { Button, Code, Modal, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Page, QueryState } from '../../components/Page';
import { PagedTable } from '../../components/DataTable';
import { useFormat } from '../../i18n/format';
import { api, unwrap } from '../../api/client';
import { useBotId } from './sales/shared';

/** One entry of GET /audit-log. */
interface AuditEntry {
  id: string;
  actorType: string;
  actorId: string;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
  createdAt: string;
}

/** What changed, briefly: the fields whose values differ, or that the target was made or removed. */
function summary(e: AuditEntry, t: (k: string) => string): string {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(e.before) && isObject(e.after)) {
    // A short record (an adjustment: amount and reason) reads best as it is; a whole new row is "created".
    const entries = Object.entries(e.after);
    if (entries.length > 4) return t('audit_created');
    const shown = (v: unknown) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return text.length > 40 ? `${text.slice(0, 39)}…` : text;
    };
    return entries.map(([k, v]) => `${k}: ${shown(v)}`).join(', ');
  }
  if (isObject(e.before) && !isObject(e.after)) return t('audit_removed');
  if (!isObject(e.before) || !isObject(e.after)) return '—';
  const before = e.before;
  const after = e.after;
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).join(', ') || '—';
}

/** The entry's before and after, as the log keeps them (secrets were never written). */
function EntryDetails({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  const { t } = useTranslation('sales');
  return (
    <Modal opened={!!entry} onClose={onClose} title={entry?.action} size="xl">
      {entry && (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {(
            [
              [t('audit_before'), entry.before],
              [t('audit_after'), entry.after],
            ] as const
          ).map(([label, value]) => (
            <Stack gap={4} key={label}>
              <Title order={5}>{label}</Title>
              <Code block dir="ltr" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
                {value == null ? '—' : JSON.stringify(value, null, 2)}
              </Code>
            </Stack>
          ))}
        </SimpleGrid>
      )}
    </Modal>
  );
}

/** Who did what to the shop, and when: API token, operator or a bot admin with their role. */
export function AuditLogPage() {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const botId = useBotId();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const log = useQuery({
    queryKey: ['audit-log', botId, page],
    queryFn: () =>
      unwrap(api.GET('/v1/bots/{botId}/audit-log', { params: { path: { botId }, query: { page, pageSize: 20 } } })),
  });
  return (
    <Page title={t('audit_log')}>
      <QueryState query={log}>
        {(data) => (
          <PagedTable
            data={data}
            onPage={setPage}
            minWidth={760}
            head={[t('when'), t('actor'), t('action'), t('target'), t('changed'), '']}
            row={(e) => (
              <>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(e.createdAt)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {t(`actor_${e.actorType}`, { defaultValue: e.actorType })}
                  {e.actorRole ? ` (${t(`role_${e.actorRole}`, { defaultValue: e.actorRole })})` : ''}
                  {e.actorType === 'bot_admin' ? ` · ${e.actorId}` : ''}
                </Table.Td>
                <Table.Td>
                  <Code>{e.action}</Code>
                </Table.Td>
                <Table.Td>
                  {e.targetType ?? '—'}
                  {e.targetId && (
                    <Tooltip label={e.targetId}>
                      <Text span ff="monospace" size="xs" c="dimmed">
                        {' '}
                        {e.targetId.slice(0, 8)}
                      </Text>
                    </Tooltip>
                  )}
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{summary(e, t)}</Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" onClick={() => setOpen(e)}>
                    {t('audit_details')}
                  </Button>
                </Table.Td>
              </>
            )}
          />
        )}
      </QueryState>
      <EntryDetails entry={open} onClose={() => setOpen(null)} />
    </Page>
  );
}
