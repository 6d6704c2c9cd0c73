import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/session';
import { Page, QueryState } from '../../components/Page';
import { DataTable } from '../../components/DataTable';
import { FormModal } from '../../components/FormModal';
import { useFormat } from '../../i18n/format';
import {
  fieldErrors,
  FormError,
  numberOrNull,
  toMajor,
  toMinor,
  useBotCurrency,
  useBotId,
  RowActionsCell,
} from './setup/shared';

type PaymentCard = components['schemas']['PaymentCardDto'];
type Strategy = PaymentCard['rotationStrategy'];
const STRATEGIES: Strategy[] = ['round_robin', 'random', 'time_based', 'weighted'];

/** Approved receipts out of reviewed ones; null before the first review. */
export function successRate(c: Pick<PaymentCard, 'successCount' | 'failureCount'>): number | null {
  const reviewed = c.successCount + c.failureCount;
  return reviewed === 0 ? null : c.successCount / reviewed;
}

/** The shop's cards for card-to-card payments: how much each is used, how often its receipts pass, who is next. */
export function CardsPage() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const f = useFormat();
  const client = useQueryClient();
  const currency = useBotCurrency();
  const query = useQuery({
    queryKey: ['cards', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/payment-cards', { params: { path: { botId } } })),
  });
  const next = useQuery({
    queryKey: ['cards', botId, 'next'],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/payment-cards/next', { params: { path: { botId } } })),
    retry: false,
  });
  const [editing, setEditing] = useState<PaymentCard | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (cardId: string) =>
      unwrap(api.DELETE('/v1/bots/{botId}/payment-cards/{cardId}', { params: { path: { botId, cardId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['cards', botId] }),
  });
  const write = can('cards');
  const pct = (n: number) => new Intl.NumberFormat(f.locale, { style: 'percent', maximumFractionDigits: 0 }).format(n);

  return (
    <Page
      title={t('cards')}
      actions={
        write && (
          <Button onClick={() => setEditing('new')} data-testid="card-create">
            {t('addCard')}
          </Button>
        )
      }
    >
      <Card withBorder padding="sm" data-testid="next-card">
        <Text size="sm" fw={600}>
          {t('nextCard')}
        </Text>
        {next.isPending ? (
          <Text size="sm" c="dimmed">
            {t('common:loading')}
          </Text>
        ) : next.isError ? (
          <Text size="sm" c="dimmed">
            {next.error instanceof ApiError && next.error.status === 409 ? t('noActiveCard') : next.error.message}
          </Text>
        ) : (
          <Group gap="xs" wrap="wrap">
            <Text size="sm" dir="ltr">
              {next.data.card.cardNumberMasked}
            </Text>
            <Text size="sm">{next.data.card.cardHolderName}</Text>
            <Badge variant="light">{t(`strategy_${next.data.strategy}`)}</Badge>
            {!next.data.deterministic && (
              <Text size="xs" c="dimmed">
                {t('oneDraw')}
              </Text>
            )}
          </Group>
        )}
      </Card>
      {remove.error && <FormError error={remove.error} />}
      <QueryState query={query}>
        {(cards) => (
          <DataTable
            items={cards}
            empty={t('noCards')}
            minWidth={900}
            compact
            head={[
              t('card'),
              t('common:status'),
              t('rotation'),
              t('dailyLimit'),
              t('usage'),
              t('lastUsed'),
              t('successRate'),
              write && t('common:actions'),
            ]}
            rowTestId="card-row"
            row={(c) => {
              const rate = successRate(c);
              const limitUse = c.dailyLimitMinor ? Math.min(1, c.usedTodayMinor / c.dailyLimitMinor) : null;
              return (
                <>
                  <Table.Td>
                    <Stack gap={0}>
                      <Text size="sm" dir="ltr" ta="start" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                        {c.cardNumberMasked}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {c.cardHolderName}
                        {c.bankName ? ` · ${c.bankName}` : ''}
                      </Text>
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={c.isActive ? 'teal' : 'gray'} variant="light">
                      {c.isActive ? t('active') : t('inactive')}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t(`strategy_${c.rotationStrategy}`)}</Text>
                    <Text size="xs" c="dimmed">
                      {c.rotationStrategy === 'weighted'
                        ? t('weightN', { n: f.number(c.weight) })
                        : c.rotationStrategy === 'time_based'
                          ? t('minutesN', { n: f.number(c.rotationIntervalMinutes) })
                          : null}
                    </Text>
                  </Table.Td>
                  <Table.Td miw={140}>
                    {c.dailyLimitMinor == null ? (
                      <Text size="sm">{t('noLimit')}</Text>
                    ) : (
                      <Stack gap={2}>
                        <Text size="xs">
                          {f.money(c.usedTodayMinor, c.currency)} / {f.money(c.dailyLimitMinor, c.currency)}
                        </Text>
                        <Progress value={(limitUse ?? 0) * 100} size="sm" color={limitUse === 1 ? 'red' : undefined} />
                      </Stack>
                    )}
                  </Table.Td>
                  <Table.Td>{t('shownN', { n: f.number(c.currentUsageCount) })}</Table.Td>
                  <Table.Td>{f.dateTime(c.lastUsedAt)}</Table.Td>
                  <Table.Td>
                    <Text
                      size="sm"
                      fw={600}
                      c={rate == null ? 'dimmed' : rate >= 0.8 ? 'teal' : rate >= 0.5 ? 'yellow.8' : 'red'}
                    >
                      {rate == null ? '—' : pct(rate)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t('approvedRejected', { ok: f.number(c.successCount), bad: f.number(c.failureCount) })}
                    </Text>
                  </Table.Td>
                  <RowActionsCell
                    show={write}
                    onEdit={() => setEditing(c)}
                    deleteQuestion={t('deleteCardQuestion')}
                    onDelete={() => remove.mutate(c.id)}
                  />
                </>
              );
            }}
          />
        )}
      </QueryState>
      {editing && (
        <CardModal
          card={editing === 'new' ? null : editing}
          currency={currency}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void client.invalidateQueries({ queryKey: ['cards', botId] });
          }}
        />
      )}
    </Page>
  );
}

function CardModal({
  card,
  currency,
  onClose,
  onSaved,
}: {
  card: PaymentCard | null;
  currency: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const f = useFormat();
  const [cardNumber, setCardNumber] = useState(card?.cardNumber ?? '');
  const [holder, setHolder] = useState(card?.cardHolderName ?? '');
  const [bank, setBank] = useState(card?.bankName ?? '');
  const [strategy, setStrategy] = useState<Strategy>(card?.rotationStrategy ?? 'round_robin');
  const [intervalMinutes, setIntervalMinutes] = useState<number | string>(card?.rotationIntervalMinutes ?? 60);
  const [weight, setWeight] = useState<number | string>(card?.weight ?? 1);
  const [limit, setLimit] = useState<number | string>(
    card?.dailyLimitMinor != null ? toMajor(card.dailyLimitMinor, currency) : '',
  );
  const [active, setActive] = useState(card?.isActive ?? true);
  const save = useMutation({
    mutationFn: () => {
      const limitMajor = numberOrNull(limit);
      const body = {
        cardHolderName: holder.trim(),
        bankName: bank.trim() === '' ? null : bank.trim(),
        rotationStrategy: strategy,
        rotationIntervalMinutes: numberOrNull(intervalMinutes) ?? 60,
        weight: numberOrNull(weight) ?? 1,
        dailyLimitMinor: limitMajor === null ? null : toMinor(limitMajor, currency),
        isActive: active,
      };
      return card
        ? unwrap(
            api.PATCH('/v1/bots/{botId}/payment-cards/{cardId}', {
              params: { path: { botId, cardId: card.id } },
              body: cardNumber !== card.cardNumber ? { ...body, cardNumber } : body,
            }),
          )
        : unwrap(
            api.POST('/v1/bots/{botId}/payment-cards', { params: { path: { botId } }, body: { ...body, cardNumber } }),
          );
    },
    onSuccess: onSaved,
  });
  const errors = fieldErrors(save.error);
  const limitMajor = numberOrNull(limit);
  return (
    <FormModal
      title={card ? t('editCard') : t('addCard')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      saving={save.isPending}
      saveTestId="card-save"
    >
      <TextInput
        label={t('cardNumber')}
        description={t('cardNumberHint')}
        value={cardNumber}
        onChange={(e) => setCardNumber(e.currentTarget.value)}
        error={errors.cardNumber}
        inputMode="numeric"
        dir="ltr"
        data-field="cardNumber"
      />
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
        <TextInput
          label={t('cardHolder')}
          value={holder}
          onChange={(e) => setHolder(e.currentTarget.value)}
          error={errors.cardHolderName}
          data-field="cardHolderName"
        />
        <TextInput
          label={t('bank')}
          value={bank}
          onChange={(e) => setBank(e.currentTarget.value)}
          error={errors.bankName}
        />
        <Select
          label={t('rotation')}
          data={STRATEGIES.map((s) => ({ value: s, label: t(`strategy_${s}`) }))}
          value={strategy}
          onChange={(v) => v && setStrategy(v as Strategy)}
          allowDeselect={false}
          error={errors.rotationStrategy}
        />
        {strategy === 'time_based' && (
          <NumberInput
            label={t('rotationInterval')}
            value={intervalMinutes}
            onChange={setIntervalMinutes}
            error={errors.rotationIntervalMinutes}
            allowDecimal={false}
          />
        )}
        {strategy === 'weighted' && (
          <NumberInput
            label={t('weight')}
            value={weight}
            onChange={setWeight}
            error={errors.weight}
            allowDecimal={false}
          />
        )}
        <NumberInput
          label={t('dailyLimitIn', { currency })}
          description={limitMajor !== null ? f.money(toMinor(limitMajor, currency), currency) : t('noLimit')}
          value={limit}
          onChange={setLimit}
          error={errors.dailyLimitMinor}
          thousandSeparator=","
        />
      </SimpleGrid>
      <Switch label={t('active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
      {strategy !== 'round_robin' && (
        <Alert color="gray" variant="light">
          {t('strategyNote')}
        </Alert>
      )}
      <FormError error={save.error} shown={errors} />
    </FormModal>
  );
}
