import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/session';
import { Page, QueryState } from '../../components/Page';
import {
  compactLocalized,
  ConfirmButton,
  fieldErrors,
  FormError,
  LANGS,
  SavedNote,
  TelegramPreview,
  useBot,
  useBotId,
  type Lang,
  type Localized,
  type PreviewButton,
} from './setup/shared';

type Configuration = components['schemas']['ConfigurationDto'];

/** Built-in screens a menu button may open (libs/catalog MENU_ACTIONS). */
export const MENU_ACTIONS = [
  'buy',
  'subscriptions',
  'wallet',
  'trial',
  'promo',
  'referral',
  'support',
  'language',
  'help',
] as const;
type MenuAction = (typeof MENU_ACTIONS)[number];
interface MenuButton {
  action?: MenuAction;
  url?: string;
  text?: Localized;
}

/** The per-language texts, saved one language at a time. */
type TranslatedKey = 'welcome_text' | 'support_text';

/** The configuration keys this page edits; Settings shows the others. */
export const TEXT_KEYS = ['welcome_text', 'support_text', 'main_menu_buttons'] as const;

interface Environment {
  features: Set<string>;
  languages: string[];
  hasSupportContact: boolean;
}

/** Which buttons the bot would hide (it shows none that lead nowhere): the same rules as the bot's menu. */
function actionShown(action: MenuAction, env: Environment): boolean {
  switch (action) {
    case 'buy':
      return env.features.has('card_to_card') || env.features.has('wallet');
    case 'wallet':
      return env.features.has('wallet');
    case 'trial':
      return env.features.has('trial_subscription');
    case 'promo':
      return env.features.has('promo_codes');
    case 'referral':
      return env.features.has('referral_program');
    case 'support':
      return env.hasSupportContact || env.features.has('support_tickets');
    case 'language':
      return env.languages.length > 1;
    default:
      return true;
  }
}

/** The shop's texts (welcome, support) and main menu, per language, with a preview of how the bot shows them. */
export function TextsPage() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const query = useQuery({
    queryKey: ['configurations', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/configurations', { params: { path: { botId } } })),
  });
  return (
    <Page title={t('texts')}>
      <QueryState query={query}>{(configs) => <TextsEditor configs={configs} />}</QueryState>
    </Page>
  );
}

function TextsEditor({ configs }: { configs: Configuration[] }) {
  const { t, i18n } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const bot = useBot();
  const features = useQuery({
    queryKey: ['features', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/features', { params: { path: { botId } } })),
    enabled: can('settings'),
    retry: false,
  });
  const value = (key: string) => configs.find((c) => c.key === key)?.value;
  const [lang, setLang] = useState<Lang>(
    (LANGS as readonly string[]).includes(i18n.language) ? (i18n.language as Lang) : 'en',
  );
  const [welcome, setWelcome] = useState<Localized>({ ...((value('welcome_text') as Localized) ?? {}) });
  const [support, setSupport] = useState<Localized>({ ...((value('support_text') as Localized) ?? {}) });
  const [menu, setMenu] = useState<MenuButton[][]>(
    structuredClone((value('main_menu_buttons') as MenuButton[][]) ?? []),
  );
  const [screen, setScreen] = useState<'menu' | 'support'>('menu');
  // A save or reset brings that key's stored value back into its editor; the other editors keep what is typed.
  const welcomeStored = JSON.stringify(value('welcome_text') ?? {});
  const supportStored = JSON.stringify(value('support_text') ?? {});
  const menuStored = JSON.stringify(value('main_menu_buttons') ?? []);
  useEffect(() => setWelcome(JSON.parse(welcomeStored) as Localized), [welcomeStored]);
  useEffect(() => setSupport(JSON.parse(supportStored) as Localized), [supportStored]);
  useEffect(() => setMenu(JSON.parse(menuStored) as MenuButton[][]), [menuStored]);

  const bt = i18n.getFixedT(lang, 'setup');
  const languages = (value('languages') as string[] | undefined) ?? [...LANGS];
  const env: Environment | null = features.data
    ? {
        features: new Set(features.data.filter((f) => f.enabled).map((f) => f.key)),
        languages,
        hasSupportContact: !!bot.data?.supportUsername || Object.values(compactLocalized(support)).some((s) => !!s),
      }
    : null;
  const keyboard: PreviewButton[][] = menu
    .map((row) =>
      row
        .map((b): PreviewButton | null => {
          const own = b.text?.[lang]?.trim();
          if (b.action)
            return { text: own || bt(`bot_menu_${b.action}`), hidden: env ? !actionShown(b.action, env) : false };
          if (b.url) {
            const label = own || Object.values(b.text ?? {}).find((x) => x && x.trim());
            return label ? { text: label, url: b.url } : null;
          }
          return null;
        })
        .filter((b): b is PreviewButton => b !== null),
    )
    .filter((row) => row.length > 0);

  const ownWelcome = welcome[lang]?.trim();
  const shop = bot.data?.name ?? '';
  const welcomeText: ReactNode = ownWelcome ? (
    welcome[lang]
  ) : (
    <>
      {bt('bot_welcome_default', { name: '👋', shop: '\u0000' })
        .split('\u0000')
        .map((part, i) => (
          <Fragment key={i}>
            {i > 0 && <b>{shop}</b>}
            {part}
          </Fragment>
        ))}
    </>
  );
  const ownSupport = support[lang]?.trim();
  const contact = bot.data?.supportUsername ? `@${bot.data.supportUsername.replace(/^@/, '')}` : null;
  const supportText: ReactNode = (
    <>
      <b>{bt('bot_support_title')}</b>
      {'\n\n'}
      {ownSupport ? `${support[lang]}\n` : ''}
      {contact ? bt('bot_support_contact', { contact }) : ownSupport ? '' : bt('bot_support_none')}
    </>
  );

  return (
    // On a phone the preview comes first, so what is typed below shows above it without scrolling far.
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 7 }} order={{ base: 2, lg: 1 }}>
        <Stack>
          <Group justify="space-between" wrap="wrap">
            <Text size="sm" c="dimmed">
              {t('editingLanguage')}
            </Text>
            <SegmentedControl
              value={lang}
              onChange={(v) => setLang(v as Lang)}
              data={LANGS.map((l) => ({ value: l, label: t(`lang_${l}`) }))}
              data-testid="text-language"
            />
          </Group>
          <LocalizedTextCard
            configKey="welcome_text"
            title={t('welcomeText')}
            hint={t('welcomeHint')}
            lang={lang}
            stored={(value('welcome_text') as Localized | undefined) ?? {}}
            draft={welcome}
            setDraft={setWelcome}
            isDefault={!!configs.find((c) => c.key === 'welcome_text')?.isDefault}
            write={can('texts')}
            onFocus={() => setScreen('menu')}
          />
          <LocalizedTextCard
            configKey="support_text"
            title={t('supportText')}
            hint={t('supportHint')}
            lang={lang}
            stored={(value('support_text') as Localized | undefined) ?? {}}
            draft={support}
            setDraft={setSupport}
            isDefault={!!configs.find((c) => c.key === 'support_text')?.isDefault}
            write={can('texts')}
            onFocus={() => setScreen('support')}
          />
          <MenuEditor
            lang={lang}
            menu={menu}
            setMenu={setMenu}
            write={can('settings')}
            isDefault={!!configs.find((c) => c.key === 'main_menu_buttons')?.isDefault}
            defaultLabel={(a) => bt(`bot_menu_${a}`)}
          />
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }} order={{ base: 1, lg: 2 }}>
        <Stack gap="xs" style={{ position: 'sticky', top: 72 }}>
          <Group justify="space-between" wrap="wrap">
            <Title order={4}>{t('preview')}</Title>
            <SegmentedControl
              size="xs"
              value={screen}
              onChange={(v) => setScreen(v as 'menu' | 'support')}
              data={[
                { value: 'menu', label: t('mainMenu') },
                { value: 'support', label: t('supportScreen') },
              ]}
            />
          </Group>
          {screen === 'menu' ? (
            <TelegramPreview lang={lang} text={welcomeText} keyboard={keyboard} label={t('preview')} />
          ) : (
            <TelegramPreview
              lang={lang}
              text={supportText}
              keyboard={[[{ text: bt('bot_menu_back') }]]}
              label={t('preview')}
            />
          )}
          <Text size="xs" c="dimmed">
            {env ? t('previewHiddenNote') : t('previewNote')}
          </Text>
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

function useConfigurationWrite(key: string, onSaved: () => void) {
  const botId = useBotId();
  const client = useQueryClient();
  const refresh = () => void client.invalidateQueries({ queryKey: ['configurations', botId] });
  const save = useMutation({
    mutationFn: (value: unknown) =>
      unwrap(
        api.PUT('/v1/bots/{botId}/configurations/{key}', {
          params: { path: { botId, key } },
          body: { value: value as components['schemas']['SetConfigurationDto']['value'] },
        }),
      ),
    onSuccess: () => {
      onSaved();
      refresh();
    },
  });
  const reset = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/bots/{botId}/configurations/{key}', { params: { path: { botId, key } } })),
    onSuccess: () => {
      onSaved();
      refresh();
    },
  });
  return { save, reset };
}

/**
 * Saves a per-language text one language at a time (PUT or DELETE …/translations/{lang}), only the languages
 * whose draft differs from what the page read: a language saved meanwhile elsewhere (the bot's admin flow) is
 * never overwritten with what this page read before. A refused language's error lands on its own field.
 */
function useTranslationsSave(key: TranslatedKey, onSaved: () => void) {
  const botId = useBotId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ draft, stored }: { draft: Localized; stored: Localized }) => {
      const next = compactLocalized(draft);
      const before = compactLocalized(stored);
      for (const lang of LANGS) {
        if (next[lang] === before[lang]) continue;
        const path = { botId, key, lang };
        const text = next[lang];
        try {
          await unwrap(
            text !== undefined
              ? api.PUT('/v1/bots/{botId}/configurations/{key}/translations/{lang}', {
                  params: { path },
                  body: { value: text },
                })
              : api.DELETE('/v1/bots/{botId}/configurations/{key}/translations/{lang}', { params: { path } }),
          );
        } catch (e) {
          throw e instanceof ApiError && Array.isArray(e.details) ? inLanguage(e, lang) : e;
        }
      }
    },
    onSuccess: () => {
      onSaved();
      void client.invalidateQueries({ queryKey: ['configurations', botId] });
    },
  });
}

/** The API names the one language's `value`; the card shows field errors by language (`value.<lang>`). */
function inLanguage(e: ApiError, lang: Lang): ApiError {
  const details = (e.details as { field?: unknown }[]).map((d) =>
    d.field === 'value' ? { ...d, field: `value.${lang}` } : d,
  );
  return new ApiError(e.status, e.code, e.message, details);
}

function LocalizedTextCard({
  configKey,
  title,
  hint,
  lang,
  stored,
  draft,
  setDraft,
  isDefault,
  write,
  onFocus,
}: {
  configKey: TranslatedKey;
  title: string;
  hint: string;
  lang: Lang;
  /** The text as the page read it: the languages whose draft differs from it are saved. */
  stored: Localized;
  draft: Localized;
  setDraft: (v: Localized) => void;
  isDefault: boolean;
  write: boolean;
  onFocus: () => void;
}) {
  const { t } = useTranslation('setup');
  const [saved, setSaved] = useState(false);
  const { reset } = useConfigurationWrite(configKey, () => setSaved(true));
  const save = useTranslationsSave(configKey, () => setSaved(true));
  const errors = fieldErrors(save.error);
  const otherErrors = LANGS.filter((l) => l !== lang && errors[l]);
  return (
    <Card withBorder padding="md" data-testid={`config-${configKey}`}>
      <Stack gap="xs">
        <Text fw={600}>{title}</Text>
        <Textarea
          description={hint}
          dir={lang === 'fa' ? 'rtl' : 'ltr'}
          value={draft[lang] ?? ''}
          onChange={(e) => {
            setSaved(false);
            setDraft({ ...draft, [lang]: e.currentTarget.value });
          }}
          onFocus={onFocus}
          autosize
          minRows={3}
          maxRows={12}
          error={errors[lang]}
          readOnly={!write}
          aria-label={`${title} (${lang})`}
        />
        {otherErrors.length > 0 && (
          <Alert color="red" role="alert">
            {otherErrors.map((l) => `${l}: ${errors[l]}`).join(' · ')}
          </Alert>
        )}
        <FormError error={save.error} shown={errors} />
        <FormError error={reset.error} />
        {write && (
          <Group justify="flex-end" gap="xs">
            <SavedNote show={saved} />
            {!isDefault && (
              <ConfirmButton
                label={t('resetDefault')}
                question={t('resetQuestion')}
                onConfirm={() => reset.mutate()}
                color="gray"
              />
            )}
            <Button
              size="xs"
              onClick={() => {
                setSaved(false);
                save.mutate({ draft, stored });
              }}
              loading={save.isPending}
              data-testid={`save-${configKey}`}
            >
              {t('common:save')}
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

function MenuEditor({
  lang,
  menu,
  setMenu,
  write,
  isDefault,
  defaultLabel,
}: {
  lang: Lang;
  menu: MenuButton[][];
  setMenu: (m: MenuButton[][]) => void;
  write: boolean;
  isDefault: boolean;
  defaultLabel: (a: MenuAction) => string;
}) {
  const { t } = useTranslation('setup');
  const [saved, setSaved] = useState(false);
  const { save, reset } = useConfigurationWrite('main_menu_buttons', () => setSaved(true));
  const errors = fieldErrors(save.error);
  const change = (m: MenuButton[][]) => {
    setSaved(false);
    setMenu(m);
  };
  const update = (r: number, b: number, patch: (btn: MenuButton) => MenuButton) =>
    change(menu.map((row, i) => (i !== r ? row : row.map((btn, j) => (j === b ? patch(btn) : btn)))));
  const errorOf = (r: number, b: number) =>
    Object.entries(errors)
      .filter(([k]) => k.startsWith(`[${r}][${b}]`))
      .map(([, v]) => v)
      .join('; ') || undefined;
  const moveRow = (r: number, by: number) => {
    const m = [...menu];
    const [row] = m.splice(r, 1);
    m.splice(r + by, 0, row);
    change(m);
  };
  const actionData = [
    ...MENU_ACTIONS.map((a) => ({ value: a, label: defaultLabel(a) })),
    { value: 'url', label: t('linkButton') },
  ];
  return (
    <Card withBorder padding="md" data-testid="config-main_menu_buttons">
      <Stack gap="xs">
        <Text fw={600}>{t('menuButtons')}</Text>
        <Text size="xs" c="dimmed">
          {t('menuHint')}
        </Text>
        {menu.map((row, r) => (
          <Paper key={r} withBorder p="xs" radius="sm">
            <Stack gap={6}>
              <Group justify="space-between" gap={4}>
                <Text size="xs" c="dimmed">
                  {t('rowN', { n: r + 1 })}
                </Text>
                {write && (
                  <Group gap={2}>
                    <ActionIcon
                      size="sm"
                      variant="subtle"
                      disabled={r === 0}
                      onClick={() => moveRow(r, -1)}
                      aria-label={t('moveUp')}
                    >
                      ↑
                    </ActionIcon>
                    <ActionIcon
                      size="sm"
                      variant="subtle"
                      disabled={r === menu.length - 1}
                      onClick={() => moveRow(r, 1)}
                      aria-label={t('moveDown')}
                    >
                      ↓
                    </ActionIcon>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      disabled={row.length >= 3}
                      onClick={() => change(menu.map((x, i) => (i === r ? [...x, { action: 'help' }] : x)))}
                    >
                      {t('addButton')}
                    </Button>
                    <ActionIcon
                      size="sm"
                      variant="subtle"
                      color="red"
                      onClick={() => change(menu.filter((_, i) => i !== r))}
                      aria-label={t('removeRow')}
                    >
                      ✕
                    </ActionIcon>
                  </Group>
                )}
              </Group>
              {row.map((btn, b) => (
                <Group key={b} gap={4} wrap="wrap" align="flex-start">
                  <Select
                    size="xs"
                    w={170}
                    data={actionData}
                    value={btn.action ?? 'url'}
                    allowDeselect={false}
                    disabled={!write}
                    onChange={(v) =>
                      update(r, b, (x) =>
                        v === 'url'
                          ? { url: x.url ?? 'https://', text: x.text }
                          : { action: v as MenuAction, text: x.text },
                      )
                    }
                    aria-label={t('buttonOpens')}
                  />
                  <TextInput
                    size="xs"
                    style={{ flex: 1, minWidth: 120 }}
                    dir={lang === 'fa' ? 'rtl' : 'ltr'}
                    placeholder={btn.action ? defaultLabel(btn.action) : t('buttonText')}
                    value={btn.text?.[lang] ?? ''}
                    disabled={!write}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      update(r, b, (x) => ({ ...x, text: { ...(x.text ?? {}), [lang]: v } }));
                    }}
                    aria-label={`${t('buttonText')} (${lang})`}
                    error={errorOf(r, b)}
                  />
                  {!btn.action && (
                    <TextInput
                      size="xs"
                      style={{ flex: 1, minWidth: 140 }}
                      dir="ltr"
                      value={btn.url ?? ''}
                      disabled={!write}
                      onChange={(e) => {
                        const v = e.currentTarget.value;
                        update(r, b, (x) => ({ ...x, url: v }));
                      }}
                      aria-label="URL"
                    />
                  )}
                  {write && (
                    <ActionIcon
                      size="sm"
                      mt={4}
                      variant="subtle"
                      color="red"
                      onClick={() =>
                        change(
                          menu.map((x, i) => (i === r ? x.filter((_, j) => j !== b) : x)).filter((x) => x.length > 0),
                        )
                      }
                      aria-label={t('remove')}
                    >
                      ✕
                    </ActionIcon>
                  )}
                </Group>
              ))}
            </Stack>
          </Paper>
        ))}
        <FormError error={save.error} shown={errors} />
        <FormError error={reset.error} />
        {write && (
          <Group justify="space-between" gap="xs">
            <Button
              size="xs"
              variant="light"
              disabled={menu.length >= 12}
              onClick={() => change([...menu, [{ action: 'help' }]])}
            >
              {t('addRow')}
            </Button>
            <Group gap="xs">
              <SavedNote show={saved} />
              {!isDefault && (
                <ConfirmButton
                  label={t('resetDefault')}
                  question={t('resetQuestion')}
                  onConfirm={() => reset.mutate()}
                  color="gray"
                />
              )}
              <Button
                size="xs"
                loading={save.isPending}
                onClick={() => {
                  setSaved(false);
                  save.mutate(
                    menu.map((row) =>
                      row.map((btn) => {
                        const text = compactLocalized(btn.text ?? {});
                        const clean: MenuButton = btn.action ? { action: btn.action } : { url: btn.url?.trim() };
                        return Object.keys(text).length ? { ...clean, text } : clean;
                      }),
                    ),
                  );
                }}
              >
                {t('common:save')}
              </Button>
            </Group>
          </Group>
        )}
        {!write && (
          <Text size="xs" c="dimmed">
            {t('menuNeedsSettings')}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
