import {
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { PagedTable } from '../../components/DataTable';
import { Page, QueryState } from '../../components/Page';
import { useFormat } from '../../i18n/format';
import { DayRange } from '../reseller/sales/shared';

type Entry = components['schemas']['AdminAuditEntryDto'];
type Action = Entry['action'];

const PAGE_SIZE = 20;
export const AUDIT_ACTIONS: Action[] = [
  'bot.onboarded',
  'bot.suspended',
  'bot.resumed',
  'bot.restored',
  'feature.allowance_set',
  'wholesale_price.set',
  'wallet.top_up',
  'wallet.adjust',
  'invite.created',
  'invite.revoked',
  'panel.created',
  'panel.updated',
];
const ACTOR = /^[a-z_]{1,20}:[A-Za-z0-9:._-]{1,79}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** The fields of before and after, each once, with whether it changed (a made target: every field is new). */
function diffRows(
  before: unknown,
  after: unknown,
): { key: string; before: unknown; after: unknown; changed: boolean }[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.map((key) => ({
    key,
    before: b[key],
    after: a[key],
    changed: JSON.stringify(b[key]) !== JSON.stringify(a[key]),
  }));
}

/** Who did it, readably: the master token, an operator by Telegram id, or an invite. */
function ActorLabel({ actor }: { actor: string }) {
  const { t } = useTranslation('operator');
  const [type, ...rest] = actor.split(':');
  const id = rest.join(':');
  const label =
    actor === 'master:master'
      ? t('auditActorMaster')
      : type === 'master' && id.startsWith('tg:')
        ? t('auditActorOperator', { id: id.slice(3) })
        : type === 'invite'
          ? t('auditActorInvite')
          : actor;
  return (
    <Tooltip label={actor}>
      <Text span size="sm" data-actor={actor}>
        {label}
      </Text>
    </Tooltip>
  );
}

/** The entry's before and after side by side, field by field; changed fields stand out. */
function EntryDetails({ entry, onClose }: { entry: Entry | null; onClose: () => void }) {
  const { t } = useTranslation('operator');
  const rows = entry ? diffRows(entry.before, entry.after) : [];
  return (
    <Modal opened={!!entry} onClose={onClose} title={entry ? t(actionKey(entry.action)) : ''} size="xl">
      {entry && (
        <Stack gap="sm">
          {rows.length === 0 ? (
            <Text c="dimmed">—</Text>
          ) : (
            <Table.ScrollContainer minWidth={480}>
              <Table withTableBorder data-testid="audit-diff">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('auditField')}</Table.Th>
                    <Table.Th>{t('auditBefore')}</Table.Th>
                    <Table.Th>{t('auditAfter')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={r.key} bg={r.changed ? 'var(--mantine-color-yellow-light)' : undefined}>
                      <Table.Td>
                        <Code>{r.key}</Code>
                      </Table.Td>
                      {[r.before, r.after].map((v, i) => (
                        <Table.Td key={i} dir="ltr" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
                          {shown(v)}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <Text size="xs" c="dimmed">
            {t('auditSecretsNote')}
          </Text>
        </Stack>
      )}
    </Modal>
  );
}

const actionKey = (action: string) => `auditAction_${action.replace(/\./g, '_')}`;

/**
 * The operator's own audit log: every change made with the master token, in the master bot or here (panels,
 * invites, suspensions, allowances, prices, top-ups and adjustments), newest first, filtered by action, actor,
 * tenant and days; the filters and the page live in the URL.
 */
export function AuditLogPage() {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const [params, setParams] = useSearchParams();
  const action = (params.get('action') ?? '') as Action | '';
  const botId = params.get('botId') ?? '';
  const botName = params.get('botName') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [typed, setTyped] = useState(params.get('actor') ?? '');
  const [actorText] = useDebouncedValue(typed.trim(), 300);
  const actorValid = actorText === '' || ACTOR.test(actorText);
  const actor = actorValid ? actorText : '';
  const [open, setOpen] = useState<Entry | null>(null);

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
    if (actorValid && actorText !== (params.get('actor') ?? '')) update({ actor: actorText || null, page: null });
    // Only the settled text moves the URL (not every keystroke).
  }, [actorText]);

  const query = useQuery({
    queryKey: ['operator', 'audit-log', { action, actor, botId, from, to, page }],
    queryFn: () =>
      unwrap(
        api.GET('/v1/admin/audit-log', {
          params: {
            query: {
              page,
              pageSize: PAGE_SIZE,
              ...(action ? { action } : {}),
              ...(actor ? { actor } : {}),
              ...(botId ? { botId } : {}),
              // The days are UTC days (as the date inputs say them): `to` takes in the whole of its day.
              ...(from ? { from } : {}),
              ...(to ? { to: `${to}T23:59:59.999Z` } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <Page title={t('auditLog')}>
      <Group gap="sm" wrap="wrap" align="flex-end">
        <Select
          label={t('auditAction')}
          data={[
            { value: '', label: t('auditAllActions') },
            ...AUDIT_ACTIONS.map((a) => ({ value: a, label: t(actionKey(a)) })),
          ]}
          value={action}
          onChange={(v) => update({ action: v || null, page: null })}
          allowDeselect={false}
          w={220}
          data-testid="audit-action"
        />
        <TextInput
          label={t('auditActor')}
          placeholder="master:master"
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          error={actorValid ? undefined : t('auditActorInvalid')}
          maxLength={100}
          dir="ltr"
          w={220}
        />
        <DayRange
          from={from}
          to={to}
          onChange={(r) => update({ from: r.from || null, to: r.to || null, page: null })}
        />
        {botId && (
          <Badge
            size="lg"
            variant="light"
            rightSection={
              <Anchor component="button" size="xs" onClick={() => update({ botId: null, botName: null, page: null })}>
                ✕
              </Anchor>
            }
          >
            {t('auditOnlyBot', { name: botName || botId.slice(0, 8) })}
          </Badge>
        )}
      </Group>
      <QueryState query={query}>
        {(data) => (
          <PagedTable
            data={data}
            onPage={(p) => update({ page: p > 1 ? String(p) : null })}
            minWidth={860}
            rowTestId="audit-row"
            empty={t('auditEmpty')}
            head={[t('auditWhen'), t('auditActor'), t('auditAction'), t('auditTarget'), t('auditTenant'), '']}
            row={(e) => (
              <>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(e.createdAt)}</Table.Td>
                <Table.Td>
                  <ActorLabel actor={e.actor} />
                </Table.Td>
                <Table.Td data-action={e.action}>{t(actionKey(e.action), { defaultValue: e.action })}</Table.Td>
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
                <Table.Td>
                  {e.bot ? (
                    <Group gap={6} wrap="nowrap">
                      <Anchor component={Link} to={`/operator/tenants/${e.bot.id}`} size="sm">
                        <bdi>{e.bot.name ?? e.bot.id.slice(0, 8)}</bdi>
                      </Anchor>
                      {botId !== e.bot.id && (
                        <Anchor
                          component="button"
                          size="xs"
                          c="dimmed"
                          onClick={() => update({ botId: e.bot!.id, botName: e.bot!.name ?? null, page: null })}
                        >
                          {t('auditFilterBot')}
                        </Anchor>
                      )}
                    </Group>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" onClick={() => setOpen(e)}>
                    {t('auditDetails')}
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
