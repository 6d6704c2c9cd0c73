import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router-dom';
import { api, ApiError, idempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert, errorText, Page, QueryState } from '../../components/Page';
import { useFormat } from '../../i18n/format';
import { fromMinor, minorDigits, StatusBadge, toMinor } from './shared';

type Bot = components['schemas']['BotDto'];
type WholesalePrice = components['schemas']['WholesalePriceDto'];
type Wallet = components['schemas']['WalletDto'];

/** One tenant: details, suspend / resume, the wholesale wallet and its top-ups, wholesale price, allowances. */
export function TenantPage() {
  const { botId = '' } = useParams();
  const { t } = useTranslation('operator');
  const from = (useLocation().state as { from?: string } | null)?.from ?? '';
  const bot = useQuery({
    queryKey: ['operator', 'tenant', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}', { params: { path: { botId } } })),
  });
  return (
    <QueryState query={bot}>
      {(b) => (
        <Page
          title={
            <Group gap="sm" wrap="wrap">
              <span>{b.name}</span>
              <StatusBadge status={b.status} />
            </Group>
          }
          actions={
            <>
              <Button component={Link} to={`/operator/tenants${from}`} variant="subtle" size="sm">
                {t('backToTenants')}
              </Button>
              <Button component={Link} to={`/bots/${b.id}/dashboard`} variant="light" size="sm">
                {t('openShop')}
              </Button>
              {!b.isMaster && <SuspendButton bot={b} />}
            </>
          }
        >
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Details bot={b} />
            <Wallet bot={b} />
          </SimpleGrid>
          <WholesalePriceForm bot={b} />
          <Allowances botId={b.id} />
        </Page>
      )}
    </QueryState>
  );
}

function Section({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <Card withBorder padding="md" radius="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={4}>{title}</Title>
          {actions}
        </Group>
        {children}
      </Stack>
    </Card>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

/** Ids and usernames are Latin even in a right-to-left page. */
function Ltr({ children }: { children: ReactNode }) {
  return (
    <span dir="ltr" style={{ unicodeBidi: 'isolate' }}>
      {children}
    </span>
  );
}

function Details({ bot }: { bot: Bot }) {
  const { t } = useTranslation('operator');
  const f = useFormat();
  return (
    <Section title={t('details')}>
      <SimpleGrid cols={2} spacing="sm" style={{ overflowWrap: 'anywhere' }}>
        <Field label={t('telegramBot')}>
          <Ltr>@{bot.telegramUsername}</Ltr>
        </Field>
        <Field label={t('telegramBotId')}>
          <Ltr>{bot.telegramBotId}</Ltr>
        </Field>
        <Field label={t('owner')}>
          <Ltr>{bot.ownerTelegramId}</Ltr>
        </Field>
        <Field label={t('support')}>{bot.supportUsername ? <Ltr>@{bot.supportUsername}</Ltr> : '—'}</Field>
        <Field label={t('language')}>{t(`lang_${bot.defaultLanguage}`, { defaultValue: bot.defaultLanguage })}</Field>
        <Field label={t('currency')}>{bot.currency}</Field>
        <Field label={t('apiToken')}>{bot.apiTokenPrefix ? <Ltr>{bot.apiTokenPrefix}…</Ltr> : '—'}</Field>
        <Field label={t('joined')}>{f.dateTime(bot.createdAt)}</Field>
      </SimpleGrid>
    </Section>
  );
}

function useRefreshTenant(botId: string) {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: ['operator', 'tenant', botId] }),
      client.invalidateQueries({ queryKey: ['operator', 'tenants'] }),
      client.invalidateQueries({ queryKey: ['operator', 'stats'] }),
    ]);
}

/**
 * Suspend (the bot stops, its owner is told) or resume, after a confirmation. The dialog keeps the action it was
 * opened for, so it does not turn into the opposite while it closes over the refreshed status.
 */
function SuspendButton({ bot }: { bot: Bot }) {
  const { t } = useTranslation('operator');
  const [action, setAction] = useState<'suspend' | 'resume' | null>(null);
  const [last, setLast] = useState<'suspend' | 'resume'>('suspend');
  const [reason, setReason] = useState('');
  const refresh = useRefreshTenant(bot.id);
  const change = useMutation({
    mutationFn: (what: 'suspend' | 'resume') =>
      what === 'resume'
        ? unwrap(api.POST('/v1/admin/bots/{botId}/resume', { params: { path: { botId: bot.id } } }))
        : unwrap(
            api.POST('/v1/admin/bots/{botId}/suspend', {
              params: { path: { botId: bot.id } },
              body: reason.trim() ? { reason: reason.trim() } : {},
            }),
          ),
    onSuccess: async () => {
      setAction(null);
      await refresh();
    },
  });
  if (bot.status === 'deleted') return null;
  const next = bot.status === 'suspended' ? 'resume' : 'suspend';
  const shown = action ?? last;
  return (
    <>
      <Button
        color={next === 'resume' ? 'green' : 'red'}
        variant={next === 'resume' ? 'filled' : 'light'}
        size="sm"
        onClick={() => {
          change.reset();
          setReason('');
          setAction(next);
          setLast(next);
        }}
      >
        {t(next)}
      </Button>
      <Modal
        opened={action !== null}
        onClose={() => setAction(null)}
        title={t(shown === 'resume' ? 'resumeTitle' : 'suspendTitle', { name: bot.name })}
        centered
      >
        <Stack gap="md">
          <Text size="sm">{t(shown === 'resume' ? 'resumeExplain' : 'suspendExplain')}</Text>
          {shown === 'suspend' && (
            <Textarea
              label={t('suspendReason')}
              description={t('suspendReasonHint')}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              maxLength={300}
              autosize
              minRows={2}
              data-autofocus
            />
          )}
          {change.isError && <ErrorAlert error={change.error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setAction(null)}>
              {t('common:cancel')}
            </Button>
            <Button
              color={shown === 'resume' ? 'green' : 'red'}
              loading={change.isPending}
              onClick={() => change.mutate(shown)}
              data-confirm
            >
              {t(shown)}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function Wallet({ bot }: { bot: Bot }) {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const [topUp, setTopUp] = useState(false);
  const [adjust, setAdjust] = useState(false);
  const wallet = useQuery({
    queryKey: ['operator', 'tenant', bot.id, 'wallet'],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/wallet', { params: { path: { botId: bot.id } } })),
  });
  const ledger = useQuery({
    queryKey: ['operator', 'tenant', bot.id, 'ledger'],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/wallet/ledger', {
          params: { path: { botId: bot.id }, query: { page: 1, pageSize: 5 } },
        }),
      ),
  });
  return (
    <Section
      title={t('wallet')}
      actions={
        <Group gap="xs">
          <Button size="xs" onClick={() => setTopUp(true)}>
            {t('topUp')}
          </Button>
          <Button size="xs" variant="default" onClick={() => setAdjust(true)} disabled={!wallet.data}>
            {t('adjust')}
          </Button>
        </Group>
      }
    >
      <QueryState query={wallet}>
        {(w) => (
          <SimpleGrid cols={3} spacing="sm">
            <Field label={t('walletFree')}>
              <span data-wallet="available">{f.money(w.availableMinor, w.currency)}</span>
            </Field>
            <Field label={t('walletHeld')}>{f.money(w.heldMinor, w.currency)}</Field>
            <Field label={t('walletBalance')}>
              <span data-wallet="balance">{f.money(w.balanceMinor, w.currency)}</span>
            </Field>
          </SimpleGrid>
        )}
      </QueryState>
      <QueryState query={ledger}>
        {(l) =>
          l.items.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('noLedger')}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={360}>
              <Table fz="sm" data-ledger>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('when')}</Table.Th>
                    <Table.Th>{t('entry')}</Table.Th>
                    <Table.Th>{t('amount')}</Table.Th>
                    <Table.Th>{t('note')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {l.items.map((e) => (
                    <Table.Tr key={e.id} data-entry={e.type}>
                      <Table.Td>{f.dateTime(e.createdAt)}</Table.Td>
                      <Table.Td>{t(`ledger_${e.type}`, { defaultValue: e.type })}</Table.Td>
                      <Table.Td>{f.money(e.amountMinor, e.currency)}</Table.Td>
                      <Table.Td>{e.note ?? ''}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      {topUp && <TopUpDialog bot={bot} onClose={() => setTopUp(false)} />}
      {adjust && wallet.data && <AdjustDialog bot={bot} wallet={wallet.data} onClose={() => setAdjust(false)} />}
    </Section>
  );
}

/**
 * A top-up. The idempotency key is made once when the dialog opens, so a double click, or Confirm again after a
 * lost answer, credits the wallet once; the API answers a repeat with the first entry.
 */
function TopUpDialog({ bot, onClose }: { bot: Bot; onClose: () => void }) {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const client = useQueryClient();
  const refresh = useRefreshTenant(bot.id);
  const [key] = useState(idempotencyKey);
  const [amount, setAmount] = useState<number | string>('');
  const [note, setNote] = useState('');
  const amountMinor = typeof amount === 'number' ? toMinor(amount, bot.currency) : 0;
  const send = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/admin/bots/{botId}/wallet/top-ups', {
          params: { path: { botId: bot.id }, header: { 'Idempotency-Key': key } },
          body: { amountMinor, ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      ),
    onSuccess: async () => {
      await Promise.all([
        refresh(),
        client.invalidateQueries({ queryKey: ['operator', 'tenant', bot.id, 'wallet'] }),
        client.invalidateQueries({ queryKey: ['operator', 'tenant', bot.id, 'ledger'] }),
      ]);
      onClose();
    },
  });
  const reused = send.error instanceof ApiError && send.error.code === 'IDEMPOTENCY_KEY_REUSED';
  return (
    <Modal opened onClose={onClose} title={t('topUpTitle', { name: bot.name })} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (amountMinor > 0) send.mutate();
        }}
      >
        <Stack gap="sm">
          <NumberInput
            label={t('amountIn', { currency: bot.currency })}
            value={amount}
            onChange={setAmount}
            min={0}
            decimalScale={minorDigits(bot.currency)}
            thousandSeparator=","
            allowNegative={false}
            required
            data-autofocus
          />
          {amountMinor > 0 && (
            <Text size="sm" c="dimmed">
              {t('willCredit', { amount: f.money(amountMinor, bot.currency) })}
            </Text>
          )}
          <TextInput label={t('note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={500} />
          {send.isError && (
            <Alert color="red" role="alert">
              {reused ? t('keyReused') : errorText(send.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={send.isPending} disabled={amountMinor <= 0} data-confirm>
              {send.isError && !reused ? t('common:retry') : t('topUp')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * An adjustment: a signed correction with a required note (a mistyped top-up taken back, a charge outside the
 * product). The form leads to a confirmation showing the balance and the free balance after it; a debit past the
 * free balance cannot be confirmed, and the API refuses it anyway (409, nothing written). One idempotency key per
 * dialog, as for top-ups: a double click or a retry after a lost answer adjusts once.
 */
function AdjustDialog({ bot, wallet, onClose }: { bot: Bot; wallet: Wallet; onClose: () => void }) {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const client = useQueryClient();
  const refresh = useRefreshTenant(bot.id);
  const [key] = useState(idempotencyKey);
  const [amount, setAmount] = useState<number | string>('');
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const amountMinor = typeof amount === 'number' ? toMinor(amount, bot.currency) : 0;
  const trimmed = note.trim();
  const valid = amountMinor !== 0 && trimmed.length >= 3 && trimmed.length <= 300;
  const balanceAfter = wallet.balanceMinor + amountMinor;
  const freeAfter = wallet.availableMinor + amountMinor;
  const send = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/admin/bots/{botId}/wallet/adjustments', {
          params: { path: { botId: bot.id }, header: { 'Idempotency-Key': key } },
          body: { amountMinor, note: trimmed },
        }),
      ),
    onSuccess: async () => {
      await Promise.all([
        refresh(),
        client.invalidateQueries({ queryKey: ['operator', 'tenant', bot.id, 'wallet'] }),
        client.invalidateQueries({ queryKey: ['operator', 'tenant', bot.id, 'ledger'] }),
      ]);
      onClose();
    },
  });
  const code = send.error instanceof ApiError ? send.error.code : undefined;
  const error =
    code === 'IDEMPOTENCY_KEY_REUSED'
      ? t('adjustKeyReused')
      : code === 'INSUFFICIENT_WHOLESALE_BALANCE'
        ? t('adjustInsufficient')
        : errorText(send.error);
  return (
    <Modal opened onClose={onClose} title={t('adjustTitle', { name: bot.name })} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!valid) return;
          if (!confirming) setConfirming(true);
          else if (freeAfter >= 0) send.mutate();
        }}
      >
        {!confirming ? (
          <Stack gap="sm" data-step="form">
            <NumberInput
              label={t('adjustAmountIn', { currency: bot.currency })}
              description={t('adjustAmountHint')}
              value={amount}
              onChange={setAmount}
              decimalScale={minorDigits(bot.currency)}
              thousandSeparator=","
              allowNegative
              required
              data-autofocus
            />
            <Textarea
              label={t('note')}
              description={t('adjustNoteHint')}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              minLength={3}
              maxLength={300}
              required
              autosize
              minRows={2}
            />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={onClose}>
                {t('common:cancel')}
              </Button>
              <Button type="submit" disabled={!valid} data-review>
                {t('adjustReview')}
              </Button>
            </Group>
          </Stack>
        ) : (
          <Stack gap="sm" data-step="confirm">
            <Text size="sm">
              {amountMinor > 0
                ? t('adjustWillCredit', { amount: f.money(amountMinor, bot.currency) })
                : t('adjustWillDebit', { amount: f.money(-amountMinor, bot.currency) })}
            </Text>
            <Text size="sm" c="dimmed">
              {trimmed}
            </Text>
            <SimpleGrid cols={2} spacing="sm">
              <Field label={t('balanceAfter')}>
                <span data-after="balance">{f.money(balanceAfter, bot.currency)}</span>
              </Field>
              <Field label={t('freeAfter')}>
                <span data-after="available">{f.money(freeAfter, bot.currency)}</span>
              </Field>
            </SimpleGrid>
            {freeAfter < 0 && (
              <Alert color="red" role="alert" data-overdraw>
                {t('adjustOverdraw', { amount: f.money(wallet.availableMinor, bot.currency) })}
              </Alert>
            )}
            {send.isError && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setConfirming(false)} disabled={send.isPending}>
                {t('adjustBack')}
              </Button>
              <Button type="submit" loading={send.isPending} disabled={freeAfter < 0} data-confirm>
                {send.isError && code === undefined ? t('common:retry') : t('adjustConfirm')}
              </Button>
            </Group>
          </Stack>
        )}
      </form>
    </Modal>
  );
}

const PRICE_FIELDS = ['perPlanMinor', 'perGbMinor', 'perDayMinor', 'trialMinor'] as const;

/** The wholesale price: what each sale takes from the tenant's wallet. */
function WholesalePriceForm({ bot }: { bot: Bot }) {
  const { t } = useTranslation('operator');
  const price = useQuery({
    queryKey: ['operator', 'tenant', bot.id, 'wholesale'],
    queryFn: () => unwrap(api.GET('/v1/admin/bots/{botId}/wholesale-price', { params: { path: { botId: bot.id } } })),
  });
  return (
    <Section title={t('wholesalePrice')}>
      <QueryState query={price}>{(p) => <PriceFields bot={bot} price={p} />}</QueryState>
    </Section>
  );
}

function PriceFields({ bot, price }: { bot: Bot; price: WholesalePrice }) {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const client = useQueryClient();
  const [values, setValues] = useState<Record<string, number | string>>(() => ({
    ...Object.fromEntries(PRICE_FIELDS.map((k) => [k, fromMinor(price[k], bot.currency)])),
    unlimitedTrafficGb: price.unlimitedTrafficGb,
  }));
  const num = (k: string) => (typeof values[k] === 'number' ? (values[k] as number) : 0);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/v1/admin/bots/{botId}/wholesale-price', {
          params: { path: { botId: bot.id } },
          body: {
            perPlanMinor: toMinor(num('perPlanMinor'), bot.currency),
            perGbMinor: toMinor(num('perGbMinor'), bot.currency),
            perDayMinor: toMinor(num('perDayMinor'), bot.currency),
            trialMinor: toMinor(num('trialMinor'), bot.currency),
            unlimitedTrafficGb: Math.round(num('unlimitedTrafficGb')),
          },
        }),
      ),
    onSuccess: (saved) => {
      client.setQueryData(['operator', 'tenant', bot.id, 'wholesale'], saved);
      void client.invalidateQueries({ queryKey: ['operator', 'tenant', bot.id, 'wallet'] });
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm">
          {PRICE_FIELDS.map((k) => (
            <NumberInput
              key={k}
              label={t(`price_${k}`)}
              description={bot.currency}
              value={values[k]}
              onChange={(v) => setValues((s) => ({ ...s, [k]: v }))}
              min={0}
              decimalScale={minorDigits(bot.currency)}
              thousandSeparator=","
              allowNegative={false}
            />
          ))}
          <NumberInput
            label={t('price_unlimitedTrafficGb')}
            description={t('gb')}
            value={values.unlimitedTrafficGb}
            onChange={(v) => setValues((s) => ({ ...s, unlimitedTrafficGb: v }))}
            min={0}
            max={100_000}
            allowDecimal={false}
            allowNegative={false}
          />
        </SimpleGrid>
        {save.isError && <ErrorAlert error={save.error} />}
        <Group justify="space-between" wrap="wrap">
          <Text size="xs" c="dimmed">
            {price.updatedAt ? t('priceUpdated', { when: f.dateTime(price.updatedAt) }) : t('priceNeverSet')}
          </Text>
          <Group gap="xs">
            {save.isSuccess && (
              <Badge color="green" variant="light">
                {t('common:saved')}
              </Badge>
            )}
            <Button type="submit" loading={save.isPending}>
              {t('common:save')}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}

/** Which features the tenant may turn on; forbidding one also switches it off. */
function Allowances({ botId }: { botId: string }) {
  const { t, i18n } = useTranslation('operator');
  // The catalogue's descriptions are English: shown only in the English console.
  const english = i18n.language === 'en';
  const client = useQueryClient();
  const features = useQuery({
    queryKey: ['operator', 'tenant', botId, 'features'],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/features', { params: { path: { botId } } })),
  });
  const set = useMutation({
    mutationFn: ({ key, allowed }: { key: string; allowed: boolean }) =>
      unwrap(
        api.PUT('/v1/admin/bots/{botId}/features/{key}/allowed', {
          params: { path: { botId, key } },
          body: { allowed },
        }),
      ),
    onSettled: () => client.invalidateQueries({ queryKey: ['operator', 'tenant', botId, 'features'] }),
  });
  return (
    <Section title={t('allowances')}>
      <Text size="sm" c="dimmed">
        {t('allowancesExplain')}
      </Text>
      {set.isError && <ErrorAlert error={set.error} />}
      <QueryState query={features}>
        {(list) => (
          <Table.ScrollContainer minWidth={480}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('feature')}</Table.Th>
                  <Table.Th>{t('featureOn')}</Table.Th>
                  <Table.Th>{t('allowed')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((feature) => (
                  <Table.Tr key={feature.key} data-feature={feature.key}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {t(`setup:feature_${feature.key}`, { defaultValue: feature.key })}
                      </Text>
                      <Text size="xs" c="dimmed">
                        <Ltr>{feature.key}</Ltr>
                        {english && ` · ${feature.description}`}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={feature.enabled ? 'green' : 'gray'} variant="light">
                        {feature.enabled ? t('common:yes') : t('common:no')}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        checked={feature.allowed}
                        disabled={set.isPending && set.variables?.key === feature.key}
                        onChange={(e) => set.mutate({ key: feature.key, allowed: e.currentTarget.checked })}
                        aria-label={t('allowFeature', { key: feature.key })}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <Anchor component={Link} to={`/bots/${botId}/features`} size="sm">
        {t('openFeatures')}
      </Anchor>
    </Section>
  );
}
