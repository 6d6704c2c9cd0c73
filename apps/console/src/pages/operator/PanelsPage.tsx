import {
  Badge,
  Button,
  Card,
  Group,
  JsonInput,
  Modal,
  NumberInput,
  PasswordInput,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert, Page, QueryState } from '../../components/Page';
import { useFormat } from '../../i18n/format';

type Panel = components['schemas']['PanelDto'];
const TYPES = ['remnawave', 'marzban', 'xui'] as const;
type PanelType = (typeof TYPES)[number];

/** What each type's settings look like; a hint only, the API checks them. */
const SETTINGS_EXAMPLE: Record<PanelType, string> = {
  remnawave: '{ "activeInternalSquads": ["<squad uuid>"] }',
  marzban: '{ "proxies": { "vless": {} } }',
  xui: '{ "inboundId": 1, "subscriptionBaseUrl": "https://sub.example.com" }',
};

/** The VPN panels: health, how full each is, and their settings. Credentials are write-only. */
export function PanelsPage() {
  const { t } = useTranslation('operator');
  const [editing, setEditing] = useState<Panel | 'new' | null>(null);
  const query = useQuery({
    queryKey: ['operator', 'panels'],
    queryFn: () => unwrap(api.GET('/v1/admin/panels')),
  });
  return (
    <Page
      title={t('panels')}
      actions={
        <Button size="sm" onClick={() => setEditing('new')}>
          {t('newPanel')}
        </Button>
      }
    >
      <QueryState query={query}>
        {(panels) =>
          panels.length === 0 ? (
            <Text c="dimmed">{t('noPanels')}</Text>
          ) : (
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
              {panels.map((p) => (
                <PanelCard key={p.id} panel={p} onEdit={() => setEditing(p)} />
              ))}
            </SimpleGrid>
          )
        }
      </QueryState>
      {editing && <PanelDialog panel={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Page>
  );
}

function HealthBadge({ panel }: { panel: Panel }) {
  const { t } = useTranslation('operator');
  const [color, label] =
    panel.lastHealthOk === null
      ? ['gray', t('healthUnknown')]
      : panel.lastHealthOk
        ? ['green', t('healthOk')]
        : ['red', t('healthDown')];
  return (
    <Badge color={color} variant="dot" data-health={String(panel.lastHealthOk)}>
      {label}
    </Badge>
  );
}

function PanelCard({ panel, onEdit }: { panel: Panel; onEdit: () => void }) {
  const { t } = useTranslation('operator');
  const f = useFormat();
  const share = panel.capacity > 0 ? Math.min(100, (panel.activeUsers / panel.capacity) * 100) : 100;
  const color = share >= 90 ? 'red' : share >= 70 ? 'yellow' : 'teal';
  return (
    <Card withBorder radius="md" padding="md" data-panel={panel.id}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <Text fw={600} truncate>
              {panel.name}
            </Text>
            <Text size="xs" c="dimmed" truncate>
              <span dir="ltr" style={{ unicodeBidi: 'isolate' }}>
                {panel.baseUrl}
              </span>
            </Text>
          </div>
          <Badge variant="light">{panel.type}</Badge>
        </Group>
        <Group gap="xs" wrap="wrap">
          <HealthBadge panel={panel} />
          {!panel.isActive && (
            <Badge color="gray" variant="light">
              {t('inactive')}
            </Badge>
          )}
          {panel.location && (
            <Badge color="grape" variant="light">
              {panel.location}
            </Badge>
          )}
        </Group>
        <div>
          <Group justify="space-between" gap="xs">
            <Text size="xs" c="dimmed">
              {t('capacity')}
            </Text>
            <Text size="xs" data-capacity>
              {t('usedOf', { used: f.number(panel.activeUsers), capacity: f.number(panel.capacity) })}
            </Text>
          </Group>
          <Progress value={share} color={color} size="lg" radius="xl" aria-label={t('capacity')} />
        </div>
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="xs" c="dimmed">
            {panel.lastHealthAt ? t('lastChecked', { when: f.dateTime(panel.lastHealthAt) }) : ''}
          </Text>
          <Button size="xs" variant="light" onClick={onEdit}>
            {t('edit')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** Create or edit a panel. Credentials are never shown back: empty fields on an edit keep the stored ones. */
function PanelDialog({ panel, onClose }: { panel: Panel | null; onClose: () => void }) {
  const { t } = useTranslation('operator');
  const client = useQueryClient();
  const [name, setName] = useState(panel?.name ?? '');
  const [type, setType] = useState<PanelType>((panel?.type as PanelType | undefined) ?? 'remnawave');
  const [baseUrl, setBaseUrl] = useState(panel?.baseUrl ?? '');
  const [apiKey, setApiKey] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [location, setLocation] = useState(panel?.location ?? '');
  const [capacity, setCapacity] = useState<number | string>(panel?.capacity ?? '');
  const [isActive, setIsActive] = useState(panel?.isActive ?? true);
  const [settings, setSettings] = useState(
    panel && Object.keys(panel.settings).length > 0 ? JSON.stringify(panel.settings, null, 2) : '',
  );
  const [settingsError, setSettingsError] = useState(false);

  const typed = type === 'remnawave' ? apiKey.length > 0 : username.length > 0 || password.length > 0;
  const credentials = type === 'remnawave' ? { apiKey } : { username, password };
  const typeChanged = panel !== null && panel.type !== type;
  // A new panel, or a change of type, needs credentials for that type.
  const credentialsRequired = panel === null || typeChanged;

  const save = useMutation({
    mutationFn: (parsedSettings: Record<string, unknown> | undefined) => {
      const common = {
        name: name.trim(),
        type,
        baseUrl: baseUrl.trim(),
        ...(parsedSettings !== undefined ? { settings: parsedSettings } : {}),
        ...(typeof capacity === 'number' ? { capacity } : {}),
        isActive,
      };
      if (panel === null)
        return unwrap(
          api.POST('/v1/admin/panels', {
            body: { ...common, credentials, ...(location.trim() ? { location: location.trim() } : {}) },
          }),
        );
      return unwrap(
        api.PATCH('/v1/admin/panels/{panelId}', {
          params: { path: { panelId: panel.id } },
          body: { ...common, location: location.trim() || null, ...(typed ? { credentials } : {}) },
        }),
      );
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['operator', 'panels'] });
      onClose();
    },
  });

  const submit = () => {
    let parsed: Record<string, unknown> | undefined;
    if (settings.trim()) {
      try {
        parsed = JSON.parse(settings) as Record<string, unknown>;
      } catch {
        setSettingsError(true);
        return;
      }
    } else if (panel !== null) parsed = {};
    setSettingsError(false);
    save.mutate(parsed);
  };

  const keepHint = credentialsRequired ? undefined : t('credentialsKept');
  return (
    <Modal
      opened
      onClose={onClose}
      title={panel ? t('editPanel', { name: panel.name }) : t('newPanel')}
      size="lg"
      centered
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        autoComplete="off"
      >
        <Stack gap="sm">
          <TextInput
            label={t('panelName')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            maxLength={100}
            data-autofocus
          />
          <div>
            <Text size="sm" fw={500} mb={4}>
              {t('panelType')}
            </Text>
            <SegmentedControl fullWidth data={[...TYPES]} value={type} onChange={(v) => setType(v as PanelType)} />
          </div>
          <TextInput
            label={t('baseUrl')}
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.currentTarget.value)}
            required
            maxLength={500}
            placeholder="https://panel.example.com"
            dir="ltr"
            type="url"
          />
          {type === 'remnawave' ? (
            <PasswordInput
              label={t('apiKey')}
              description={keepHint}
              value={apiKey}
              onChange={(e) => setApiKey(e.currentTarget.value)}
              required={credentialsRequired}
              autoComplete="new-password"
              dir="ltr"
            />
          ) : (
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <TextInput
                label={t('username')}
                description={keepHint}
                value={username}
                onChange={(e) => setUsername(e.currentTarget.value)}
                required={credentialsRequired || typed}
                autoComplete="off"
                dir="ltr"
              />
              <PasswordInput
                label={t('password')}
                description={keepHint}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                required={credentialsRequired || typed}
                autoComplete="new-password"
                dir="ltr"
              />
            </SimpleGrid>
          )}
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
            <TextInput
              label={t('location')}
              value={location}
              onChange={(e) => setLocation(e.currentTarget.value)}
              maxLength={100}
            />
            <NumberInput
              label={t('capacity')}
              description={panel ? undefined : t('capacityDefault')}
              value={capacity}
              onChange={setCapacity}
              min={0}
              max={1_000_000}
              allowDecimal={false}
              allowNegative={false}
            />
          </SimpleGrid>
          <JsonInput
            label={t('settings')}
            description={t('settingsHint', { example: SETTINGS_EXAMPLE[type] })}
            value={settings}
            onChange={(v) => {
              setSettings(v);
              setSettingsError(false);
            }}
            error={settingsError ? t('settingsInvalid') : undefined}
            formatOnBlur
            autosize
            minRows={3}
            maxRows={10}
            dir="ltr"
          />
          <Switch label={t('panelActive')} checked={isActive} onChange={(e) => setIsActive(e.currentTarget.checked)} />
          {save.isError && <ErrorAlert error={save.error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('common:save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
