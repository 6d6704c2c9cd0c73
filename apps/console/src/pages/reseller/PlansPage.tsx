import {
  Autocomplete,
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
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/session';
import { Notice, Page, QueryState } from '../../components/Page';
import { DataTable } from '../../components/DataTable';
import { FormModal } from '../../components/FormModal';
import { useFormat } from '../../i18n/format';
import {
  compactLocalized,
  fieldErrors,
  FormError,
  LANGS,
  LocalizedInputs,
  numberOrNull,
  toMajor,
  toMinor,
  useBotCurrency,
  useBotId,
  type Localized,
  RowActionsCell,
} from './setup/shared';

type Plan = components['schemas']['PlanDto'];
type OfferedPanel = components['schemas']['OfferedPanelDto'];
/** The picker's value for "no panel named: the least busy one (of the location, when set)". */
const ANY_PANEL = 'any';

interface PlanForm {
  name: Localized;
  periodDays: number | string;
  price: number | string;
  priceStars: number | string;
  trafficLimitGb: number | string;
  deviceLimit: number | string;
  panelId: string;
  location: string;
  sortOrder: number | string;
  isActive: boolean;
  isTrial: boolean;
}

const emptyForm: PlanForm = {
  name: {},
  periodDays: 30,
  price: '',
  priceStars: '',
  trafficLimitGb: 0,
  deviceLimit: 1,
  panelId: ANY_PANEL,
  location: '',
  sortOrder: '',
  isActive: true,
  isTrial: false,
};

function formOf(p: Plan): PlanForm {
  return {
    name: { ...p.name },
    periodDays: p.periodDays,
    price: toMajor(p.priceMinor, p.currency),
    priceStars: p.priceStars ?? '',
    trafficLimitGb: p.trafficLimitGb,
    deviceLimit: p.deviceLimit,
    panelId: p.panelId ?? ANY_PANEL,
    location: p.location ?? '',
    sortOrder: p.sortOrder,
    isActive: p.isActive,
    isTrial: p.isTrial,
  };
}

/** The shop's plans: what customers see under "Buy", in sortOrder. */
export function PlansPage() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const f = useFormat();
  const client = useQueryClient();
  const currency = useBotCurrency();
  const query = useQuery({
    queryKey: ['plans', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/plans', { params: { path: { botId } } })),
  });
  const panels = useOfferedPanels();
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (planId: string) =>
      unwrap(api.DELETE('/v1/bots/{botId}/plans/{planId}', { params: { path: { botId, planId } } })),
    onSuccess: (kept) => {
      // 200 with the plan: it has sales, so it was deactivated; 204: gone.
      setNotice(kept ? t('planDeactivated') : t('planDeleted'));
      void client.invalidateQueries({ queryKey: ['plans', botId] });
    },
  });
  const write = can('plans');

  return (
    <Page
      title={t('plans')}
      actions={
        write && (
          <Button onClick={() => setEditing('new')} data-testid="plan-create">
            {t('newPlan')}
          </Button>
        )
      }
    >
      <Notice text={notice} onClose={() => setNotice(null)} />
      {remove.error && <FormError error={remove.error} />}
      <QueryState query={query}>
        {(plans) => (
          <DataTable
            items={plans}
            empty={t('noPlans')}
            minWidth={980}
            compact
            head={[
              t('name'),
              t('period'),
              t('price'),
              t('traffic'),
              t('devices'),
              t('panel'),
              t('common:status'),
              t('sortOrder'),
              write && t('common:actions'),
            ]}
            rowTestId="plan-row"
            row={(p) => (
              <>
                <Table.Td>
                  <Stack gap={0}>
                    {LANGS.filter((l) => p.name[l]).map((l) => (
                      <Group key={l} gap={4} wrap="nowrap">
                        <Badge size="xs" variant="outline" color="gray">
                          {l}
                        </Badge>
                        <Text size="sm" dir={l === 'fa' ? 'rtl' : 'ltr'}>
                          {p.name[l]}
                        </Text>
                      </Group>
                    ))}
                  </Stack>
                </Table.Td>
                <Table.Td>{t('days', { count: p.periodDays, n: f.number(p.periodDays) })}</Table.Td>
                <Table.Td>
                  <Stack gap={0}>
                    <span>{f.money(p.priceMinor, p.currency)}</span>
                    {p.priceStars != null && (
                      <Text size="xs" c="dimmed">
                        ⭐ {f.number(p.priceStars)}
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  {p.trafficLimitGb === 0 ? t('unlimited') : t('gb', { n: f.number(p.trafficLimitGb) })}
                </Table.Td>
                <Table.Td>{p.deviceLimit === 0 ? t('unlimited') : f.number(p.deviceLimit)}</Table.Td>
                <Table.Td data-testid="plan-panel">
                  <PanelName plan={p} panels={panels.data} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge color={p.isActive ? 'teal' : 'gray'} variant="light">
                      {p.isActive ? t('active') : t('inactive')}
                    </Badge>
                    {p.isTrial && <Badge variant="light">{t('trial')}</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>{f.number(p.sortOrder)}</Table.Td>
                <RowActionsCell
                  show={write}
                  onEdit={() => setEditing(p)}
                  deleteQuestion={t('deletePlanQuestion')}
                  onDelete={() => remove.mutate(p.id)}
                />
              </>
            )}
          />
        )}
      </QueryState>
      {editing && (
        <PlanModal
          plan={editing === 'new' ? null : editing}
          panels={panels.data ?? []}
          currency={currency}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            setNotice(t('common:saved'));
            void client.invalidateQueries({ queryKey: ['plans', botId] });
          }}
        />
      )}
    </Page>
  );
}

/** The VPN panels the platform offers this bot's plans (id, name, location only). */
function useOfferedPanels() {
  const botId = useBotId();
  return useQuery({
    queryKey: ['panels', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/panels', { params: { path: { botId } } })),
  });
}

function panelLabel(p: OfferedPanel): string {
  return p.location ? `${p.name} · ${p.location}` : p.name;
}

/** Where a plan's subscriptions are made, as the list shows it. */
function PanelName({ plan, panels }: { plan: Plan; panels: OfferedPanel[] | undefined }) {
  const { t } = useTranslation('setup');
  if (!plan.panelId) {
    return <Text size="sm">{plan.location ? t('anyPanelIn', { location: plan.location }) : t('anyPanel')}</Text>;
  }
  if (!panels) return <Text size="sm">…</Text>;
  const panel = panels.find((p) => p.id === plan.panelId);
  return panel ? (
    <Text size="sm">{panelLabel(panel)}</Text>
  ) : (
    <Text size="sm" c="red">
      {t('panelGone')}
    </Text>
  );
}

function PlanModal({
  plan,
  panels,
  currency,
  onClose,
  onSaved,
}: {
  plan: Plan | null;
  panels: OfferedPanel[];
  currency: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const f = useFormat();
  const [form, setForm] = useState<PlanForm>(plan ? formOf(plan) : emptyForm);
  const set = <K extends keyof PlanForm>(k: K, v: PlanForm[K]) => setForm((s) => ({ ...s, [k]: v }));
  const client = useQueryClient();
  const panelChoices = useMemo(() => {
    const choices = [
      { value: ANY_PANEL, label: t('anyPanel') },
      ...panels.map((p) => ({ value: p.id, label: panelLabel(p) })),
    ];
    // The plan's panel may have been withdrawn since: shown as such, so the form does not silently change it.
    if (plan?.panelId && !panels.some((p) => p.id === plan.panelId)) {
      choices.push({ value: plan.panelId, label: t('panelGone') });
    }
    return choices;
  }, [panels, plan, t]);
  const locations = useMemo(
    () => [...new Set(panels.map((p) => p.location).filter((l): l is string => !!l))],
    [panels],
  );
  const choosePanel = (id: string | null) => {
    const panel = panels.find((p) => p.id === id);
    setForm((s) => ({ ...s, panelId: id ?? ANY_PANEL, location: panel?.location ?? s.location }));
  };
  const save = useMutation({
    mutationFn: async () => {
      const price = numberOrNull(form.price);
      const sortOrder = numberOrNull(form.sortOrder);
      const body = {
        name: compactLocalized(form.name),
        periodDays: numberOrNull(form.periodDays) as number,
        priceMinor: price === null ? (undefined as unknown as number) : toMinor(price, currency),
        priceStars: numberOrNull(form.priceStars),
        trafficLimitGb: numberOrNull(form.trafficLimitGb) as number,
        deviceLimit: numberOrNull(form.deviceLimit) as number,
        location: form.location.trim() === '' ? null : form.location.trim(),
        // An edit leaves the panel alone unless it was changed (its panel may have been withdrawn meanwhile).
        ...(plan && form.panelId === (plan.panelId ?? ANY_PANEL)
          ? {}
          : { panelId: form.panelId === ANY_PANEL ? null : form.panelId }),
        ...(sortOrder === null ? {} : { sortOrder }),
        isActive: form.isActive,
        isTrial: form.isTrial,
      };
      return plan
        ? unwrap(api.PATCH('/v1/bots/{botId}/plans/{planId}', { params: { path: { botId, planId: plan.id } }, body }))
        : unwrap(api.POST('/v1/bots/{botId}/plans', { params: { path: { botId } }, body }));
    },
    onSuccess: onSaved,
    onError: (e) => {
      // A panel refused is one withdrawn since the list was read: read it again.
      if (e instanceof ApiError && fieldErrors(e).panelId)
        void client.invalidateQueries({ queryKey: ['panels', botId] });
    },
  });
  const errors = fieldErrors(save.error);
  // The API names the field in English; the reseller is told in their language what to do.
  if (errors.panelId) errors.panelId = t('panelUnavailable');
  const priceNum = numberOrNull(form.price);

  return (
    <FormModal
      title={plan ? t('editPlan') : t('newPlan')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      saving={save.isPending}
      saveTestId="plan-save"
    >
      <LocalizedInputs
        label={t('name')}
        value={form.name}
        onChange={(v) => set('name', v)}
        errors={errors}
        prefix="name"
      />
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
        <NumberInput
          label={t('periodDays')}
          value={form.periodDays}
          onChange={(v) => set('periodDays', v)}
          error={errors.periodDays}
          allowDecimal={false}
          data-field="periodDays"
        />
        <NumberInput
          label={t('priceIn', { currency })}
          value={form.price}
          onChange={(v) => set('price', v)}
          error={errors.priceMinor}
          description={priceNum !== null ? f.money(toMinor(priceNum, currency), currency) : undefined}
          thousandSeparator=","
          data-field="priceMinor"
        />
        <NumberInput
          label={t('trafficGb')}
          description={t('zeroUnlimited')}
          value={form.trafficLimitGb}
          onChange={(v) => set('trafficLimitGb', v)}
          error={errors.trafficLimitGb}
          allowDecimal={false}
        />
        <NumberInput
          label={t('devices')}
          description={t('zeroUnlimited')}
          value={form.deviceLimit}
          onChange={(v) => set('deviceLimit', v)}
          error={errors.deviceLimit}
          allowDecimal={false}
        />
        <NumberInput
          label={t('priceStars')}
          description={t('priceStarsHint')}
          value={form.priceStars}
          onChange={(v) => set('priceStars', v)}
          error={errors.priceStars}
          allowDecimal={false}
        />
        <NumberInput
          label={t('sortOrder')}
          description={plan ? undefined : t('sortOrderHint')}
          value={form.sortOrder}
          onChange={(v) => set('sortOrder', v)}
          error={errors.sortOrder}
          allowDecimal={false}
        />
        <Select
          label={t('panel')}
          description={t('panelHint')}
          data={panelChoices}
          value={form.panelId}
          onChange={choosePanel}
          allowDeselect={false}
          error={errors.panelId}
          data-field="panelId"
        />
        <Autocomplete
          label={t('location')}
          description={t('locationHint')}
          data={locations}
          value={form.location}
          onChange={(v) => set('location', v)}
          error={errors.location}
          data-field="location"
        />
      </SimpleGrid>
      <Group>
        <Switch
          label={t('active')}
          checked={form.isActive}
          onChange={(e) => set('isActive', e.currentTarget.checked)}
        />
        <Switch
          label={t('trialPlan')}
          checked={form.isTrial}
          onChange={(e) => set('isTrial', e.currentTarget.checked)}
        />
      </Group>
      <FormError error={save.error} shown={errors} />
    </FormModal>
  );
}
