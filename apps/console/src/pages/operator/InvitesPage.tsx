import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert, Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';

type Invite = components['schemas']['InviteDto'];
const STATES = ['active', 'used', 'revoked', 'expired'] as const;
type InviteState = (typeof STATES)[number];
const STATE_COLOR: Record<string, string> = { active: 'green', used: 'blue', revoked: 'gray', expired: 'orange' };
const EXPIRY_DAYS = ['0', '1', '7', '30'] as const;
const PAGE_SIZE = 20;

/** Single-use invites a reseller joins with. The code is shown once, when made, with a copy button. */
export function InvitesPage() {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const client = useQueryClient();
  const [state, setState] = useState<InviteState | ''>('');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const query = useQuery({
    queryKey: ['operator', 'invites', { state, page }],
    queryFn: () =>
      unwrap(
        api.GET('/v1/admin/invites', {
          params: { query: { page, pageSize: PAGE_SIZE, ...(state ? { state } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/admin/invites/{id}', { params: { path: { id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: ['operator', 'invites'] }),
  });
  return (
    <Page
      title={t('invites')}
      actions={
        <Button size="sm" onClick={() => setCreating(true)}>
          {t('newInvite')}
        </Button>
      }
    >
      <Select
        label={t('inviteState')}
        data={[{ value: '', label: t('common:all') }, ...STATES.map((s) => ({ value: s, label: t(`invite_${s}`) }))]}
        value={state}
        onChange={(v) => {
          setState((v ?? '') as InviteState | '');
          setPage(1);
        }}
        allowDeselect={false}
        w={200}
      />
      {revoke.isError && <ErrorAlert error={revoke.error} />}
      <QueryState query={query}>
        {(data) => (
          <Stack gap="sm">
            <Table.ScrollContainer minWidth={700}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('note')}</Table.Th>
                    <Table.Th>{t('inviteState')}</Table.Th>
                    <Table.Th>{t('created')}</Table.Th>
                    <Table.Th>{t('expires')}</Table.Th>
                    <Table.Th>{t('usedBy')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.length === 0 && (
                    <Table.Tr>
                      <Table.Td colSpan={6}>
                        <Text c="dimmed" ta="center" py="md">
                          {t('common:empty')}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                  {data.items.map((i) => (
                    <Table.Tr key={i.id} data-invite={i.id}>
                      <Table.Td>{i.note ?? <Text c="dimmed">—</Text>}</Table.Td>
                      <Table.Td>
                        <Badge color={STATE_COLOR[i.state] ?? 'gray'} variant="light">
                          {t(`invite_${i.state}`, { defaultValue: i.state })}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{f.dateTime(i.createdAt)}</Table.Td>
                      <Table.Td>{i.expiresAt ? f.dateTime(i.expiresAt) : t('never')}</Table.Td>
                      <Table.Td>
                        {i.usedByBotId ? (
                          <Anchor component={Link} to={`/operator/tenants/${i.usedByBotId}`} size="sm">
                            {f.dateTime(i.usedAt)}
                          </Anchor>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                      <Table.Td>
                        {i.state === 'active' && (
                          <Button
                            size="xs"
                            variant="light"
                            color="red"
                            loading={revoke.isPending && revoke.variables === i.id}
                            onClick={() => revoke.mutate(i.id)}
                          >
                            {t('revokeInvite')}
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={setPage} />
          </Stack>
        )}
      </QueryState>
      {creating && <CreateInviteDialog onClose={() => setCreating(false)} />}
    </Page>
  );
}

function CreateInviteDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const client = useQueryClient();
  const [note, setNote] = useState('');
  const [days, setDays] = useState<string>('7');
  const create = useMutation({
    mutationFn: () => {
      const n = Number(days);
      return unwrap(
        api.POST('/v1/admin/invites', {
          body: {
            ...(note.trim() ? { note: note.trim() } : {}),
            ...(n > 0 ? { expiresAt: new Date(Date.now() + n * 86_400_000).toISOString() } : {}),
          },
        }),
      );
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['operator', 'invites'] }),
  });
  return (
    <Modal opened onClose={onClose} title={t('newInvite')} centered>
      {create.data ? (
        <CreatedInvite invite={create.data} onClose={onClose} />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack gap="sm">
            <TextInput
              label={t('note')}
              description={t('inviteNoteHint')}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              maxLength={200}
              data-autofocus
            />
            <Select
              label={t('expiresIn')}
              data={EXPIRY_DAYS.map((d) => ({
                value: d,
                label: d === '0' ? t('never') : t('days', { count: +d, n: f.number(+d) }),
              }))}
              value={days}
              onChange={(v) => setDays(v ?? '0')}
              allowDeselect={false}
            />
            {create.isError && <ErrorAlert error={create.error} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={onClose}>
                {t('common:cancel')}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t('create')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function CreatedInvite({ invite, onClose }: { invite: Invite; onClose: () => void }) {
  const { t } = useTranslation('operator');
  return (
    <Stack gap="sm">
      <Alert color="yellow">{t('inviteShownOnce')}</Alert>
      <Group gap="xs" wrap="nowrap">
        <Code
          block
          dir="ltr"
          data-invite-code
          style={{ flex: 1, fontSize: 'var(--mantine-font-size-md)', wordBreak: 'break-all' }}
        >
          {invite.code}
        </Code>
        <CopyButton value={invite.code}>
          {({ copied, copy }) => (
            <Button variant="light" color={copied ? 'green' : undefined} onClick={copy} miw={90}>
              {copied ? t('copied') : t('copy')}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Group justify="flex-end">
        <Button onClick={onClose}>{t('done')}</Button>
      </Group>
    </Stack>
  );
}
