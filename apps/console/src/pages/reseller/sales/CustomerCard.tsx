import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, idempotencyKey, unwrap } from '../../../api/client';
import { useCan } from '../../../auth/session';
import { ErrorAlert, errorText, Page, QueryState } from '../../../components/Page';
import { Pager } from '../../../components/Pager';
import { useFormat } from '../../../i18n/format';
import { OrdersTable } from '../OrdersPage';
import { EarningsTable } from '../ReferralsPage';
import { DisableSubscriptionButton, ResendLinkButton } from './SaleActions';
import { CustomerName, customerName, minorDigits, StatusBadge, useBotId, useCurrency, type Schemas } from './shared';

function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={4}>{title}</Title>
        {actions}
      </Group>
      {children}
    </Card>
  );
}

/** Credit or debit the customer's wallet: amount and reason, then a confirmation that says what will happen. */
function AdjustBalance({ botId, user, currency }: { botId: string; user: Schemas['UserDto']; currency: string }) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [step, setStep] = useState<'form' | 'confirm'>('form');
  const [direction, setDirection] = useState<'credit' | 'debit'>('credit');
  const [amount, setAmount] = useState<number | string>('');
  const [reason, setReason] = useState('');
  // One key per opened form: a double click or a retry after a dropped answer adjusts once.
  const [key, setKey] = useState(idempotencyKey);
  const digits = minorDigits(currency);
  const minor = typeof amount === 'number' ? Math.round(amount * 10 ** digits) : 0;
  const signed = direction === 'credit' ? minor : -minor;
  const adjust = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/bots/{botId}/users/{userId}/balance-adjustments', {
          params: { path: { botId, userId: user.id }, header: { 'Idempotency-Key': key } },
          body: { amountMinor: signed, reason: reason.trim() },
        }),
      ),
    onSuccess: () => {
      setOpen(false);
      void client.invalidateQueries({ queryKey: ['user', botId, user.id] });
      void client.invalidateQueries({ queryKey: ['user-wallet', botId, user.id] });
      void client.invalidateQueries({ queryKey: ['users', botId] });
    },
  });
  const start = () => {
    setStep('form');
    setAmount('');
    setReason('');
    setDirection('credit');
    setKey(idempotencyKey());
    adjust.reset();
    setOpen(true);
  };
  return (
    <>
      <Button size="xs" variant="light" onClick={start} data-testid="adjust-balance">
        {t('adjust_balance')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('adjust_balance')} centered>
        {step === 'form' ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (minor > 0 && reason.trim()) setStep('confirm');
            }}
          >
            <Stack gap="sm">
              <SegmentedControl
                value={direction}
                onChange={(v) => setDirection(v as 'credit' | 'debit')}
                data={[
                  { value: 'credit', label: t('credit') },
                  { value: 'debit', label: t('debit') },
                ]}
              />
              <NumberInput
                label={t('amount_in', { currency })}
                value={amount}
                onChange={setAmount}
                min={0}
                decimalScale={digits}
                thousandSeparator=","
                allowNegative={false}
                required
              />
              <Textarea
                label={t('reason')}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                maxLength={300}
                required
              />
              <Group justify="flex-end" gap="xs">
                <Button variant="default" onClick={() => setOpen(false)}>
                  {t('common:cancel')}
                </Button>
                <Button type="submit" disabled={minor <= 0 || !reason.trim()}>
                  {t('continue')}
                </Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <Stack gap="sm">
            <Text>
              {t(direction === 'credit' ? 'confirm_credit' : 'confirm_debit', {
                amount: f.money(minor, currency),
                name: customerName(user),
              })}
            </Text>
            <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {t('reason')}: {reason.trim()}
            </Text>
            {adjust.isError && <Alert color="red">{errorText(adjust.error)}</Alert>}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setStep('form')} disabled={adjust.isPending}>
                {t('back')}
              </Button>
              <Button
                color={direction === 'credit' ? 'green' : 'red'}
                loading={adjust.isPending}
                onClick={() => adjust.mutate()}
              >
                {t('confirm')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}

function Details({ botId, user, currency }: { botId: string; user: Schemas['UserDto']; currency: string }) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const can = useCan();
  const client = useQueryClient();
  const setStatus = useMutation({
    mutationFn: (status: 'active' | 'blocked') =>
      unwrap(
        api.PATCH('/v1/bots/{botId}/users/{userId}', {
          params: { path: { botId, userId: user.id } },
          body: { status },
        }),
      ),
    onSuccess: (u) => {
      client.setQueryData(['user', botId, user.id], u);
      void client.invalidateQueries({ queryKey: ['users', botId] });
    },
  });
  const rows: [string, ReactNode][] = [
    [
      t('telegram_id'),
      <Text ff="monospace" key="id">
        {user.telegramId}
      </Text>,
    ],
    [t('username'), user.username ? <bdi key="u">@{user.username}</bdi> : '—'],
    [t('language'), user.language ?? '—'],
    [
      t('common:status'),
      <Group gap={4} key="s">
        <StatusBadge status={user.status} />
        {user.blockedBot && <StatusBadge status="left_bot" />}
      </Group>,
    ],
    [
      t('balance'),
      <Text fw={700} key="b">
        {f.money(user.balanceMinor, currency)}
      </Text>,
    ],
    [
      t('referral_code'),
      <Text ff="monospace" key="r">
        {user.referralCode}
      </Text>,
    ],
    [t('joined'), f.dateTime(user.createdAt)],
    [t('last_seen'), f.dateTime(user.lastSeenAt)],
  ];
  return (
    <Section
      title={t('details')}
      actions={
        <Group gap="xs">
          {can('users') && (
            <Button
              size="xs"
              color={user.status === 'blocked' ? 'green' : 'red'}
              variant="light"
              loading={setStatus.isPending}
              onClick={() => setStatus.mutate(user.status === 'blocked' ? 'active' : 'blocked')}
              data-testid="toggle-block"
            >
              {user.status === 'blocked' ? t('unblock') : t('block')}
            </Button>
          )}
          {can('wallet') && <AdjustBalance botId={botId} user={user} currency={currency} />}
        </Group>
      }
    >
      {setStatus.isError && <ErrorAlert error={setStatus.error} />}
      <Table withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Td c="dimmed" w="40%">
                {label}
              </Table.Td>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

function Subscriptions({ botId, userId }: { botId: string; userId: string }) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const can = useCan();
  const subs = useQuery({
    queryKey: ['subscriptions', botId, userId],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/subscriptions', { params: { path: { botId }, query: { userId, pageSize: 50 } } }),
      ),
  });
  const gb = (bytes: number) => f.number(Math.round((bytes / 1024 ** 3) * 10) / 10);
  return (
    <Section title={t('subscriptions')}>
      <QueryState query={subs}>
        {(data) =>
          data.items.length === 0 ? (
            <Text c="dimmed">{t('common:empty')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={520}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('common:status')}</Table.Th>
                    <Table.Th>{t('expires')}</Table.Th>
                    <Table.Th>{t('traffic')}</Table.Th>
                    <Table.Th>{t('devices')}</Table.Th>
                    {can('users') && <Table.Th />}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>
                        <StatusBadge status={s.status} />
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(s.expiresAt)}</Table.Td>
                      <Table.Td>
                        {gb(s.trafficUsedBytes)} / {s.trafficLimitBytes ? `${gb(s.trafficLimitBytes)} GB` : '∞'}
                      </Table.Td>
                      <Table.Td>{f.number(s.deviceLimit)}</Table.Td>
                      {can('users') && (
                        <Table.Td>
                          <Stack gap={4} align="flex-start">
                            {s.status === 'active' && s.subscriptionUrl && (
                              <ResendLinkButton botId={botId} subscription={s} />
                            )}
                            {(s.status === 'active' || s.status === 'expired') && (
                              <DisableSubscriptionButton botId={botId} subscription={s} />
                            )}
                          </Stack>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Section>
  );
}

function Orders({ botId, userId }: { botId: string; userId: string }) {
  const { t } = useTranslation('sales');
  const can = useCan();
  const orders = useQuery({
    queryKey: ['orders', botId, { userId, pageSize: 10 }],
    queryFn: () =>
      unwrap(api.GET('/v1/bots/{botId}/orders', { params: { path: { botId }, query: { userId, pageSize: 10 } } })),
  });
  return (
    <Section
      title={t('orders')}
      actions={
        can('dashboard') && (
          <Anchor component={Link} to={`/bots/${botId}/orders?userId=${userId}`} size="sm">
            {t('all_orders')}
          </Anchor>
        )
      }
    >
      <QueryState query={orders}>
        {(data) =>
          data.items.length === 0 ? (
            <Text c="dimmed">{t('common:empty')}</Text>
          ) : (
            <OrdersTable botId={botId} items={data.items} withCustomer={false} />
          )
        }
      </QueryState>
    </Section>
  );
}

function Wallet({ botId, userId }: { botId: string; userId: string }) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const [page, setPage] = useState(1);
  const wallet = useQuery({
    queryKey: ['user-wallet', botId, userId, page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/users/{userId}/wallet', {
          params: { path: { botId, userId }, query: { page, pageSize: 10 } },
        }),
      ),
  });
  return (
    <Section title={t('customer_wallet')}>
      <QueryState query={wallet}>
        {(w) => (
          <Stack gap="sm">
            <Text>
              {t('balance')}: <b>{f.money(w.balanceMinor, w.currency)}</b>
            </Text>
            {w.items.length === 0 ? (
              <Text c="dimmed">{t('common:empty')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('when')}</Table.Th>
                      <Table.Th>{t('type')}</Table.Th>
                      <Table.Th>{t('amount')}</Table.Th>
                      <Table.Th>{t('balance_after')}</Table.Th>
                      <Table.Th>{t('note')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {w.items.map((e) => (
                      <Table.Tr key={e.id}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(e.createdAt)}</Table.Td>
                        <Table.Td>{t(`tx_${e.type}`, { defaultValue: e.type })}</Table.Td>
                        <Table.Td c={e.amountMinor < 0 ? 'red' : 'green'}>
                          {f.money(e.amountMinor, w.currency)}
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.money(e.balanceAfterMinor, w.currency)}</Table.Td>
                        <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.note ?? '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <Pager total={w.total} page={w.page} pageSize={w.pageSize} onChange={setPage} />
          </Stack>
        )}
      </QueryState>
    </Section>
  );
}

/** The customers this one brought with their link, and what their purchases earned (GET …/users/{id}/referrals). */
function Referrals({ botId, userId }: { botId: string; userId: string }) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const currency = useCurrency(botId) ?? '';
  const [page, setPage] = useState(1);
  const referrals = useQuery({
    queryKey: ['user-referrals', botId, userId, page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/users/{userId}/referrals', {
          params: { path: { botId, userId }, query: { page, pageSize: 10 } },
        }),
      ),
  });
  return (
    <Section title={t('referrals')}>
      <QueryState query={referrals}>
        {(r) => (
          <Stack gap="sm">
            <Group gap="lg" wrap="wrap" data-testid="referral-summary">
              <Text size="sm">
                {t('referral_joined')}: <b>{f.number(r.summary.joined)}</b>
              </Text>
              <Text size="sm">
                {t('referral_bought')}: <b>{f.number(r.summary.bought)}</b>
              </Text>
              <Text size="sm">
                {t('referral_earned')}: <b>{f.money(r.summary.earnedMinor, currency)}</b>
              </Text>
              {r.summary.reversedMinor > 0 && (
                <Text size="sm">
                  {t('referral_reversed')}: <b>{f.money(r.summary.reversedMinor, currency)}</b>
                </Text>
              )}
              <Text size="sm" c="dimmed">
                {t('referral_terms', {
                  percent: f.number(r.summary.commissionPercent),
                  scope: t(`scope_${r.summary.scope}`),
                })}
              </Text>
            </Group>
            {r.items.length === 0 ? (
              <Text c="dimmed">{t('common:empty')}</Text>
            ) : (
              <EarningsTable botId={botId} items={r.items} withReferrer={false} />
            )}
            <Pager total={r.total} page={r.page} pageSize={r.pageSize} onChange={setPage} />
          </Stack>
        )}
      </QueryState>
    </Section>
  );
}

/** A customer's card: who they are, block / unblock, their subscriptions, orders, wallet and referrals. */
export function CustomerCard() {
  const { t } = useTranslation('sales');
  const botId = useBotId();
  const { userId = '' } = useParams();
  const currency = useCurrency(botId);
  const user = useQuery({
    queryKey: ['user', botId, userId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/users/{userId}', { params: { path: { botId, userId } } })),
  });
  return (
    <Page
      title={user.data ? <CustomerName user={user.data} /> : t('customer')}
      actions={
        <Anchor component={Link} to={`/bots/${botId}/customers`} size="sm">
          {t('back_to_customers')}
        </Anchor>
      }
    >
      <QueryState query={user}>
        {(u) => (
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
            <Details botId={botId} user={u} currency={currency ?? ''} />
            <Wallet botId={botId} userId={u.id} />
            <Subscriptions botId={botId} userId={u.id} />
            <Orders botId={botId} userId={u.id} />
            <Referrals botId={botId} userId={u.id} />
          </SimpleGrid>
        )}
      </QueryState>
    </Page>
  );
}
