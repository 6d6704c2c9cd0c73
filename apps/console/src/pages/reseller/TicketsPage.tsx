import {
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useParams } from 'react-router-dom';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/session';
import { Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { useFormat } from '../../i18n/format';
import { ConfirmButton, fieldErrors, FormError, useBotId } from './setup/shared';

type Status = components['schemas']['TicketDto']['status'];
const STATUS_COLOR: Record<Status, string> = { open: 'orange', answered: 'blue', closed: 'gray' };
const PAGE_SIZE = 20;

/** Support tickets: the list by status, and a ticket's thread under tickets/:id. */
export function TicketsPage() {
  return (
    <Routes>
      <Route index element={<TicketList />} />
      <Route path=":ticketId" element={<TicketThread />} />
    </Routes>
  );
}

function TicketList() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const f = useFormat();
  const [status, setStatus] = useState<Status | 'all'>('open');
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: ['tickets', botId, status, page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/tickets', {
          params: {
            path: { botId },
            query: { page, pageSize: PAGE_SIZE, ...(status === 'all' ? {} : { status }) },
          },
        }),
      ),
    refetchInterval: 15_000,
  });
  return (
    <Page title={t('tickets')}>
      <SegmentedControl
        w="fit-content"
        value={status}
        onChange={(v) => {
          setStatus(v as Status | 'all');
          setPage(1);
        }}
        data={(['open', 'answered', 'closed', 'all'] as const).map((s) => ({
          value: s,
          label: s === 'all' ? t('common:all') : t(`tstatus_${s}`),
        }))}
      />
      <QueryState query={query}>
        {(data) => (
          <Stack>
            {data.items.length === 0 ? (
              <Text c="dimmed">{t('noTickets')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped highlightOnHover verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>#</Table.Th>
                      <Table.Th>{t('subject')}</Table.Th>
                      <Table.Th>{t('common:status')}</Table.Th>
                      <Table.Th>{t('lastMessage')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((tk) => (
                      <Table.Tr key={tk.id}>
                        <Table.Td>
                          <Anchor component={Link} to={tk.id}>
                            {f.number(tk.number)}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>
                          <Anchor component={Link} to={tk.id} c="inherit">
                            {tk.subject || t('noSubject')}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>
                          <Badge color={STATUS_COLOR[tk.status]} variant="light">
                            {t(`tstatus_${tk.status}`)}
                          </Badge>
                        </Table.Td>
                        <Table.Td>{f.dateTime(tk.lastMessageAt)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {data.total > 0 && (
              <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={setPage} />
            )}
          </Stack>
        )}
      </QueryState>
    </Page>
  );
}

function TicketThread() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const { ticketId = '' } = useParams();
  const f = useFormat();
  const can = useCan();
  const client = useQueryClient();
  const query = useQuery({
    queryKey: ['ticket', botId, ticketId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/tickets/{id}', { params: { path: { botId, id: ticketId } } })),
    refetchInterval: 10_000,
  });
  const [text, setText] = useState('');
  // One key per answer being written: a retry after a lost response sends the customer nothing twice.
  const [key, setKey] = useState(idempotencyKey);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['ticket', botId, ticketId] });
    void client.invalidateQueries({ queryKey: ['tickets', botId] });
  };
  const answer = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/bots/{botId}/tickets/{id}/messages', {
          params: { path: { botId, id: ticketId }, header: { 'Idempotency-Key': key } },
          body: { text },
        }),
      ),
    onSuccess: () => {
      setText('');
      setKey(idempotencyKey());
      refresh();
    },
  });
  const close = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/bots/{botId}/tickets/{id}/close', { params: { path: { botId, id: ticketId } } })),
    onSettled: refresh,
  });
  const errors = fieldErrors(answer.error);
  const write = can('tickets');
  return (
    <QueryState query={query}>
      {(tk) => {
        const who = tk.customer
          ? [tk.customer.firstName, tk.customer.lastName].filter(Boolean).join(' ') ||
            (tk.customer.username ? `@${tk.customer.username}` : String(tk.customer.telegramId))
          : '—';
        return (
          <Page
            title={`${t('ticket')} #${f.number(tk.number)}`}
            actions={
              <>
                <Button component={Link} to=".." relative="path" variant="default" size="xs">
                  {t('backToList')}
                </Button>
                {write && tk.status !== 'closed' && (
                  <ConfirmButton
                    label={t('closeTicket')}
                    question={t('closeTicketQuestion')}
                    onConfirm={() => close.mutate()}
                    color="gray"
                  />
                )}
              </>
            }
          >
            <Group gap="xs" wrap="wrap">
              <Badge color={STATUS_COLOR[tk.status]} variant="light">
                {t(`tstatus_${tk.status}`)}
              </Badge>
              <Text size="sm">{tk.subject || t('noSubject')}</Text>
              <Text size="sm" c="dimmed">
                {who}
                {tk.customer?.username && who !== `@${tk.customer.username}` ? ` · @${tk.customer.username}` : ''}
              </Text>
            </Group>
            {close.error && <FormError error={close.error} />}
            <Stack gap="xs">
              {tk.messages.map((m) => (
                <Box
                  key={m.id}
                  style={{ display: 'flex', justifyContent: m.sender === 'admin' ? 'flex-end' : 'flex-start' }}
                >
                  <Paper
                    p="xs"
                    radius="md"
                    maw="80%"
                    bg={m.sender === 'admin' ? 'indigo.0' : 'gray.0'}
                    withBorder
                    data-testid="ticket-message"
                  >
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                      {m.hasPhoto ? `🖼 ${m.text}` : m.text}
                    </Text>
                    <Text size="xs" c="dimmed" ta="end">
                      {m.sender === 'admin' ? t('support') : t('customer')} · {f.dateTime(m.createdAt)}
                    </Text>
                  </Paper>
                </Box>
              ))}
            </Stack>
            {write && tk.status !== 'closed' && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  if (text.trim()) answer.mutate();
                }}
              >
                <Stack gap="xs">
                  <Textarea
                    label={t('yourAnswer')}
                    value={text}
                    onChange={(e) => setText(e.currentTarget.value)}
                    autosize
                    minRows={3}
                    error={errors.text}
                  />
                  <FormError error={answer.error} shown={errors} />
                  <Group justify="flex-end">
                    <Button type="submit" loading={answer.isPending} disabled={!text.trim()}>
                      {t('sendAnswer')}
                    </Button>
                  </Group>
                </Stack>
              </form>
            )}
          </Page>
        );
      }}
    </QueryState>
  );
}
