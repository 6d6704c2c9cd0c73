import {
  Badge,
  Button,
  Group,
  NumberInput,
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
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/session';
import { Notice, Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { DataTable } from '../../components/DataTable';
import { FormModal } from '../../components/FormModal';
import { useFormat } from '../../i18n/format';
import {
  fieldErrors,
  FormError,
  numberOrNull,
  pickLocalized,
  toMajor,
  toMinor,
  useBotCurrency,
  useBotId,
  RowActionsCell,
} from './setup/shared';

type Promo = components['schemas']['PromoCodeDto'];
type Kind = Promo['kind'];
const KINDS: Kind[] = ['percent', 'fixed', 'extra_days', 'balance'];
const PAGE_SIZE = 20;

/** A date-time input's local value ↔ the API's ISO time. */
const toLocalInput = (iso: string | null): string => {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const fromLocalInput = (v: string): string | null => (v ? new Date(v).toISOString() : null);
const moneyKind = (k: Kind) => k === 'fixed' || k === 'balance';

/** Promo codes: the four kinds (percent, fixed, extra days, balance), their limits and validity window. */
export function PromoCodesPage() {
  const { t, i18n } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const f = useFormat();
  const client = useQueryClient();
  const currency = useBotCurrency();
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: ['promo-codes', botId, page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/promo-codes', { params: { path: { botId }, query: { page, pageSize: PAGE_SIZE } } }),
      ),
  });
  const plans = useQuery({
    queryKey: ['plans', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/plans', { params: { path: { botId } } })),
  });
  const planName = (id: string | null) =>
    id ? pickLocalized(plans.data?.find((p) => p.id === id)?.name, i18n.language) || id.slice(0, 8) : t('anyPlan');
  const [editing, setEditing] = useState<Promo | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/v1/bots/{botId}/promo-codes/{id}', { params: { path: { botId, id } } })),
    onSuccess: (r) => {
      setNotice(r?.outcome === 'deactivated' ? t('promoDeactivated') : t('promoDeleted'));
      void client.invalidateQueries({ queryKey: ['promo-codes', botId] });
    },
  });
  const write = can('plans');
  const valueOf = (p: Promo) =>
    p.kind === 'percent'
      ? `${f.number(p.value)}%`
      : p.kind === 'extra_days'
        ? t('days', { count: p.value, n: f.number(p.value) })
        : f.money(p.value, currency);

  return (
    <Page
      title={t('promo_codes')}
      actions={
        write && (
          <Button onClick={() => setEditing('new')} data-testid="promo-create">
            {t('newPromo')}
          </Button>
        )
      }
    >
      <Notice text={notice} onClose={() => setNotice(null)} />
      {remove.error && <FormError error={remove.error} />}
      <QueryState query={query}>
        {(data) => (
          <Stack>
            <DataTable
              items={data.items}
              empty={t('noPromos')}
              minWidth={860}
              compact
              head={[
                t('code'),
                t('kind'),
                t('value'),
                t('uses'),
                t('window'),
                t('plan'),
                t('common:status'),
                write && t('common:actions'),
              ]}
              row={(p) => (
                <>
                  <Table.Td ff="monospace" dir="ltr">
                    {p.code}
                  </Table.Td>
                  <Table.Td>{t(`kind_${p.kind}`)}</Table.Td>
                  <Table.Td>{valueOf(p)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {f.number(p.usesCount)} / {p.maxUses == null ? '∞' : f.number(p.maxUses)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t('perUserN', { n: f.number(p.perUserLimit) })}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {p.validFrom || p.validUntil ? `${f.date(p.validFrom)} – ${f.date(p.validUntil)}` : t('always')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{planName(p.planId)}</Text>
                    {p.firstPurchaseOnly && (
                      <Text size="xs" c="dimmed">
                        {t('firstPurchaseOnly')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={p.isActive ? 'teal' : 'gray'} variant="light">
                      {p.isActive ? t('active') : t('inactive')}
                    </Badge>
                  </Table.Td>
                  <RowActionsCell
                    show={write}
                    onEdit={() => setEditing(p)}
                    deleteQuestion={t('deletePromoQuestion')}
                    onDelete={() => remove.mutate(p.id)}
                  />
                </>
              )}
            />
            {data.total > 0 && (
              <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={setPage} />
            )}
          </Stack>
        )}
      </QueryState>
      {editing && (
        <PromoModal
          promo={editing === 'new' ? null : editing}
          currency={currency}
          plans={(plans.data ?? []).map((p) => ({ value: p.id, label: pickLocalized(p.name, i18n.language) }))}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void client.invalidateQueries({ queryKey: ['promo-codes', botId] });
          }}
        />
      )}
    </Page>
  );
}

function PromoModal({
  promo,
  currency,
  plans,
  onClose,
  onSaved,
}: {
  promo: Promo | null;
  currency: string;
  plans: { value: string; label: string }[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const f = useFormat();
  const [code, setCode] = useState(promo?.code ?? '');
  const [kind, setKind] = useState<Kind>(promo?.kind ?? 'percent');
  const [value, setValue] = useState<number | string>(
    promo ? (moneyKind(promo.kind) ? toMajor(promo.value, currency) : promo.value) : '',
  );
  const [maxUses, setMaxUses] = useState<number | string>(promo?.maxUses ?? '');
  const [perUser, setPerUser] = useState<number | string>(promo?.perUserLimit ?? 1);
  const [from, setFrom] = useState(toLocalInput(promo?.validFrom ?? null));
  const [until, setUntil] = useState(toLocalInput(promo?.validUntil ?? null));
  const [planId, setPlanId] = useState<string | null>(promo?.planId ?? null);
  const [active, setActive] = useState(promo?.isActive ?? true);
  const [firstOnly, setFirstOnly] = useState(promo?.firstPurchaseOnly ?? false);
  const save = useMutation({
    mutationFn: () => {
      const v = numberOrNull(value);
      const common = {
        value: v === null ? (undefined as unknown as number) : moneyKind(kind) ? toMinor(v, currency) : v,
        maxUses: numberOrNull(maxUses),
        perUserLimit: numberOrNull(perUser) ?? 1,
        validFrom: fromLocalInput(from),
        validUntil: fromLocalInput(until),
        planId,
        isActive: active,
        firstPurchaseOnly: firstOnly,
      };
      return promo
        ? unwrap(
            api.PATCH('/v1/bots/{botId}/promo-codes/{id}', { params: { path: { botId, id: promo.id } }, body: common }),
          )
        : unwrap(
            api.POST('/v1/bots/{botId}/promo-codes', {
              params: { path: { botId } },
              body: { ...common, code: code.trim(), kind },
            }),
          );
    },
    onSuccess: onSaved,
  });
  const errors = fieldErrors(save.error);
  return (
    <FormModal
      title={promo ? t('editPromo') : t('newPromo')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      saving={save.isPending}
    >
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
        <TextInput
          label={t('code')}
          description={t('codeHint')}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value.toUpperCase())}
          error={errors.code}
          disabled={!!promo}
          dir="ltr"
        />
        <Select
          label={t('kind')}
          data={KINDS.map((k) => ({ value: k, label: t(`kind_${k}`) }))}
          value={kind}
          onChange={(v) => v && setKind(v as Kind)}
          allowDeselect={false}
          disabled={!!promo}
          error={errors.kind}
        />
        <NumberInput
          label={t(`valueOf_${kind}`, { currency })}
          value={value}
          onChange={setValue}
          error={errors.value}
          thousandSeparator=","
        />
        <Select
          label={t('plan')}
          data={plans}
          value={planId}
          onChange={setPlanId}
          placeholder={t('anyPlan')}
          clearable
          error={errors.planId}
        />
        <NumberInput
          label={t('maxUses')}
          description={t('emptyUnlimited')}
          value={maxUses}
          onChange={setMaxUses}
          error={errors.maxUses}
          allowDecimal={false}
        />
        <NumberInput
          label={t('perUserLimit')}
          value={perUser}
          onChange={setPerUser}
          error={errors.perUserLimit}
          allowDecimal={false}
        />
        <TextInput
          type="datetime-local"
          label={t('validFrom')}
          description={f.inputNote(from)}
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          error={errors.validFrom}
        />
        <TextInput
          type="datetime-local"
          label={t('validUntil')}
          description={f.inputNote(until)}
          value={until}
          onChange={(e) => setUntil(e.currentTarget.value)}
          error={errors.validUntil}
        />
      </SimpleGrid>
      <Group>
        <Switch label={t('active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
        <Switch
          label={t('firstPurchaseOnly')}
          checked={firstOnly}
          onChange={(e) => setFirstOnly(e.currentTarget.checked)}
        />
      </Group>
      <FormError error={save.error} shown={errors} />
    </FormModal>
  );
}
