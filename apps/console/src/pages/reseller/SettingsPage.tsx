import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/session';
import { Page, QueryState } from '../../components/Page';
import { useFormat } from '../../i18n/format';
import { asSchema, humanize, isSimple, JsonField, parseJson, SchemaInput } from './setup/schema-form';
import {
  ConfirmButton,
  fieldErrors,
  FormError,
  numberOrNull,
  pickLocalized,
  SavedNote,
  useBot,
  useBotId,
} from './setup/shared';
import { ApiTokenCard, TelegramTokenCard } from './setup/token-cards';
import { TEXT_KEYS } from './TextsPage';

type Bot = components['schemas']['BotDto'];
type Configuration = components['schemas']['ConfigurationDto'];
type Role = components['schemas']['BotAdminEntryDto']['role'];

/** The bot's own settings, the configurations the Texts page does not show, and who its admins are. */
export function SettingsPage() {
  const { t } = useTranslation('setup');
  const can = useCan();
  const bot = useBot();
  return (
    <Page title={t('settings')}>
      <QueryState query={bot}>
        {(b) => (
          <Stack gap="md">
            <BotSettings bot={b} key={b.id} />
            {can('settings') && (
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <TelegramTokenCard bot={b} />
                <ApiTokenCard bot={b} />
              </SimpleGrid>
            )}
          </Stack>
        )}
      </QueryState>
      <OtherConfigurations />
      {can('admins') && <Admins />}
    </Page>
  );
}

const ID_FIELDS = [
  'adminChatId',
  'adminTopicId',
  'cardReceiptTopicId',
  'notificationGroupId',
  'notificationTopicId',
] as const;
type IdField = (typeof ID_FIELDS)[number];

function BotSettings({ bot }: { bot: Bot }) {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const client = useQueryClient();
  const [name, setName] = useState(bot.name);
  const [language, setLanguage] = useState<Bot['defaultLanguage']>(bot.defaultLanguage);
  const [currency, setCurrency] = useState(bot.currency);
  const [supportUsername, setSupportUsername] = useState(bot.supportUsername ?? '');
  const [ids, setIds] = useState<Record<IdField, number | string>>(
    Object.fromEntries(ID_FIELDS.map((k) => [k, bot[k] ?? ''])) as Record<IdField, number | string>,
  );
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () => {
      // Only what changed: a locked currency left as it is does not refuse the rest.
      const body: components['schemas']['UpdateBotDto'] = {};
      if (name !== bot.name) body.name = name;
      if (language !== bot.defaultLanguage) body.defaultLanguage = language;
      if (currency !== bot.currency) body.currency = currency.trim().toUpperCase();
      const su = supportUsername.trim() === '' ? null : supportUsername.trim();
      if (su !== bot.supportUsername) body.supportUsername = su;
      for (const k of ID_FIELDS) {
        const v = numberOrNull(ids[k]);
        if (v !== bot[k]) body[k] = v;
      }
      return unwrap(api.PATCH('/v1/bots/{botId}', { params: { path: { botId } }, body }));
    },
    onSuccess: (b) => {
      setSaved(true);
      client.setQueryData(['bot', botId], b);
    },
  });
  const status = useMutation({
    mutationFn: (s: 'active' | 'paused') =>
      unwrap(api.PATCH('/v1/bots/{botId}', { params: { path: { botId } }, body: { status: s } })),
    onSuccess: (b) => client.setQueryData(['bot', botId], b),
  });
  const errors = fieldErrors(save.error);
  const locked = save.error instanceof ApiError && save.error.status === 409;
  const write = can('settings');
  return (
    <Card withBorder padding="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.mutate();
        }}
      >
        <Stack gap="sm">
          <Group justify="space-between" wrap="wrap">
            <Title order={4}>{t('botSettings')}</Title>
            <Group gap="xs">
              <Text size="sm" c="dimmed" dir="ltr">
                @{bot.telegramUsername}
              </Text>
              <Badge color={bot.status === 'active' ? 'teal' : bot.status === 'paused' ? 'yellow' : 'red'}>
                {t(`botStatus_${bot.status}`)}
              </Badge>
              {write && (bot.status === 'active' || bot.status === 'paused') && (
                <ConfirmButton
                  label={bot.status === 'active' ? t('pauseBot') : t('resumeBot')}
                  question={bot.status === 'active' ? t('pauseQuestion') : t('resumeQuestion')}
                  onConfirm={() => status.mutate(bot.status === 'active' ? 'paused' : 'active')}
                  color={bot.status === 'active' ? 'yellow' : 'teal'}
                  loading={status.isPending}
                />
              )}
            </Group>
          </Group>
          {status.error && <FormError error={status.error} />}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <TextInput
              label={t('botName')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              readOnly={!write}
            />
            <Select
              label={t('defaultLanguage')}
              data={(['fa', 'en', 'ru'] as const).map((l) => ({ value: l, label: t(`lang_${l}`) }))}
              value={language}
              onChange={(v) => v && setLanguage(v as Bot['defaultLanguage'])}
              allowDeselect={false}
              error={errors.defaultLanguage}
              disabled={!write}
            />
            <TextInput
              label={t('currency')}
              description={t('currencyHint')}
              value={currency}
              onChange={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
              error={errors.currency ?? (locked ? t('currencyLocked') : undefined)}
              maxLength={3}
              dir="ltr"
              readOnly={!write}
            />
            <TextInput
              label={t('supportUsername')}
              placeholder="@my_support"
              value={supportUsername}
              onChange={(e) => setSupportUsername(e.currentTarget.value)}
              error={errors.supportUsername}
              dir="ltr"
              readOnly={!write}
            />
            {ID_FIELDS.map((k) => (
              <NumberInput
                key={k}
                label={t(`field_${k}`)}
                value={ids[k]}
                onChange={(v) => setIds((s) => ({ ...s, [k]: v }))}
                error={errors[k]}
                allowDecimal={false}
                dir="ltr"
                readOnly={!write}
              />
            ))}
          </SimpleGrid>
          <FormError error={locked ? null : save.error} shown={errors} />
          {write && (
            <Group justify="flex-end" gap="xs">
              <SavedNote show={saved} />
              <Button type="submit" loading={save.isPending} data-testid="bot-save">
                {t('common:save')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Card>
  );
}

function OtherConfigurations() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const query = useQuery({
    queryKey: ['configurations', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/configurations', { params: { path: { botId } } })),
    enabled: can('texts') || can('settings'),
  });
  const plans = useQuery({
    queryKey: ['plans', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/plans', { params: { path: { botId } } })),
    enabled: can('plans'),
  });
  const { i18n } = useTranslation();
  const planOptions = plans.data?.map((p) => ({ value: p.id, label: pickLocalized(p.name, i18n.language) }));
  return (
    <Stack gap="xs">
      <Title order={4}>{t('configurations')}</Title>
      <QueryState query={query}>
        {(configs) => (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {configs
              // The texts and menu are on their own page; the currency is the bot's field above.
              .filter((c) => !(TEXT_KEYS as readonly string[]).includes(c.key) && c.key !== 'currency')
              .map((c) => (
                <ConfigurationCard
                  key={`${c.key}:${JSON.stringify(c.value)}`}
                  config={c}
                  options={c.key === 'trial_plan_id' ? planOptions : undefined}
                />
              ))}
          </SimpleGrid>
        )}
      </QueryState>
    </Stack>
  );
}

function ConfigurationCard({
  config,
  options,
}: {
  config: Configuration;
  options?: { value: string; label: string }[];
}) {
  const { t, i18n } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const client = useQueryClient();
  const f = useFormat();
  const schema = asSchema(config.schema);
  const simple = isSimple(schema);
  const [value, setValue] = useState<unknown>(config.value);
  const [json, setJson] = useState(JSON.stringify(config.value, null, 2));
  const [saved, setSaved] = useState(false);
  const refresh = () => void client.invalidateQueries({ queryKey: ['configurations', botId] });
  const save = useMutation({
    mutationFn: (v: unknown) =>
      unwrap(
        api.PUT('/v1/bots/{botId}/configurations/{key}', {
          params: { path: { botId, key: config.key } },
          body: { value: v as components['schemas']['SetConfigurationDto']['value'] },
        }),
      ),
    onSuccess: () => {
      setSaved(true);
      refresh();
    },
  });
  const reset = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE('/v1/bots/{botId}/configurations/{key}', { params: { path: { botId, key: config.key } } })),
    onSuccess: refresh,
  });
  const errors = fieldErrors(save.error);
  const error = Object.values(errors).join('; ') || undefined;
  const parsed = parseJson(json);
  const write = can('settings');
  const label = t(`config_${config.key}`, { defaultValue: humanize(config.key) });
  const isMoneyList = config.key === 'wallet_topup_presets';
  // The API describes each key in English; other languages have the translated label only.
  const description = i18n.language === 'en' ? config.description : undefined;
  return (
    <Card withBorder padding="sm" data-testid={`config-${config.key}`}>
      <Stack gap="xs">
        {config.isDefault && (
          <Badge size="xs" variant="light" color="gray" style={{ alignSelf: 'flex-end' }}>
            {t('default')}
          </Badge>
        )}
        {simple ? (
          <SchemaInput
            schema={schema}
            label={label}
            description={description}
            value={value}
            onChange={(v) => {
              setSaved(false);
              setValue(v === undefined && schema.nullable ? null : v);
            }}
            error={error}
            options={options}
          />
        ) : (
          <JsonField label={label} description={description} text={json} onChange={setJson} error={error} />
        )}
        {isMoneyList && Array.isArray(value) && (
          <Text size="xs" c="dimmed">
            {(value as number[]).map((n) => f.number(n)).join(' · ')}
          </Text>
        )}
        <FormError error={save.error} shown={errors} />
        <FormError error={reset.error} />
        {write && (
          <Group justify="flex-end" gap="xs">
            <SavedNote show={saved} />
            {!config.isDefault && (
              <Button size="xs" variant="subtle" color="gray" onClick={() => reset.mutate()} loading={reset.isPending}>
                {t('resetDefault')}
              </Button>
            )}
            <Button
              size="xs"
              onClick={() => {
                setSaved(false);
                if (simple) save.mutate(value === undefined ? null : value);
                else if (parsed.ok) save.mutate(parsed.value);
              }}
              disabled={!simple && !parsed.ok}
              loading={save.isPending}
            >
              {t('common:save')}
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

function Admins() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const query = useQuery({
    queryKey: ['admins', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/admins', { params: { path: { botId } } })),
  });
  return (
    <Stack gap="xs">
      <Title order={4}>{t('admins')}</Title>
      <QueryState query={query}>
        {(data) => <AdminsEditor key={JSON.stringify(data.admins)} admins={data.admins} owner={data.ownerTelegramId} />}
      </QueryState>
    </Stack>
  );
}

function AdminsEditor({ admins, owner }: { admins: components['schemas']['BotAdminEntryDto'][]; owner: number }) {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const client = useQueryClient();
  const [rows, setRows] = useState<{ telegramId: number | string; role: Role }[]>(admins);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/v1/bots/{botId}/admins', {
          params: { path: { botId } },
          body: {
            admins: rows
              .filter((r) => numberOrNull(r.telegramId) !== null)
              .map((r) => ({ telegramId: numberOrNull(r.telegramId)!, role: r.role })),
          },
        }),
      ),
    onSuccess: (d) => {
      setSaved(true);
      client.setQueryData(['admins', botId], d);
    },
  });
  const errors = fieldErrors(save.error);
  const roles: Role[] = ['admin', 'support'];
  return (
    <Card withBorder padding="sm">
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          {t('adminsHint')}
        </Text>
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('telegramId')}</Table.Th>
                <Table.Th>{t('common:role')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r, i) => {
                const isOwner = r.role === 'owner' || r.telegramId === owner;
                return (
                  <Table.Tr key={i}>
                    <Table.Td>
                      <NumberInput
                        size="xs"
                        value={r.telegramId}
                        onChange={(v) => setRows((rs) => rs.map((x, j) => (j === i ? { ...x, telegramId: v } : x)))}
                        readOnly={isOwner}
                        allowDecimal={false}
                        dir="ltr"
                        error={errors[`admins.${i}.telegramId`]}
                        aria-label={t('telegramId')}
                      />
                    </Table.Td>
                    <Table.Td>
                      {isOwner ? (
                        <Badge variant="light">{t('role_owner')}</Badge>
                      ) : (
                        <Select
                          size="xs"
                          data={roles.map((x) => ({ value: x, label: t(`role_${x}`) }))}
                          value={r.role}
                          onChange={(v) =>
                            v && setRows((rs) => rs.map((x, j) => (j === i ? { ...x, role: v as Role } : x)))
                          }
                          allowDeselect={false}
                          aria-label={t('common:role')}
                        />
                      )}
                    </Table.Td>
                    <Table.Td>
                      {!isOwner && (
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                          aria-label={t('remove')}
                        >
                          ✕
                        </ActionIcon>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Alert color="gray" variant="light">
          {t('rolesExplained')}
        </Alert>
        <FormError error={save.error} shown={errors} />
        <Group justify="space-between">
          <Button
            size="xs"
            variant="light"
            onClick={() => setRows((rs) => [...rs, { telegramId: '', role: 'admin' }])}
            disabled={rows.length >= 20}
          >
            {t('addAdmin')}
          </Button>
          <Group gap="xs">
            <SavedNote show={saved} />
            <Button size="xs" onClick={() => save.mutate()} loading={save.isPending}>
              {t('common:save')}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Card>
  );
}
