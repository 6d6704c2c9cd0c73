import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/session';
import { Page, QueryState } from '../../components/Page';
import { asSchema, humanize, isSimpleObject, JsonField, parseJson, SchemaInput } from './setup/schema-form';
import { fieldErrors, FormError, SavedNote, useBotId } from './setup/shared';

type Feature = components['schemas']['FeatureDto'];

/** The shop's features: each on or off (as far as the platform allows it) with its settings. */
export function FeaturesPage() {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const query = useQuery({
    queryKey: ['features', botId],
    queryFn: () => unwrap(api.GET('/v1/bots/{botId}/features', { params: { path: { botId } } })),
  });
  return (
    <Page title={t('features')}>
      <QueryState query={query}>
        {(features) => (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {features.map((f) => (
              <FeatureCard key={f.key} feature={f} />
            ))}
          </SimpleGrid>
        )}
      </QueryState>
    </Page>
  );
}

function FeatureCard({ feature }: { feature: Feature }) {
  const { t, i18n } = useTranslation('setup');
  const botId = useBotId();
  const can = useCan();
  const client = useQueryClient();
  const schema = asSchema(feature.configSchema);
  const props = schema.properties ?? {};
  const hasConfig = Object.keys(props).length > 0;
  const simple = isSimpleObject(schema);
  const [config, setConfig] = useState<Record<string, unknown>>({ ...feature.config });
  const [json, setJson] = useState(JSON.stringify(feature.config, null, 2));
  const [saved, setSaved] = useState(false);
  const put = useMutation({
    mutationFn: (body: { enabled: boolean; config?: Record<string, unknown> }) =>
      unwrap(api.PUT('/v1/bots/{botId}/features/{key}', { params: { path: { botId, key: feature.key } }, body })),
    onMutate: () => setSaved(false),
    onSuccess: (f) => {
      setSaved(true);
      setConfig({ ...f.config });
      setJson(JSON.stringify(f.config, null, 2));
      client.setQueryData<Feature[]>(['features', botId], (old) => old?.map((x) => (x.key === f.key ? f : x)));
    },
  });
  const errors = fieldErrors(put.error);
  const notAllowed = put.error instanceof ApiError && put.error.code === 'FEATURE_NOT_ALLOWED';
  const write = can('settings');
  const parsed = parseJson(json);
  const saveConfig = () => {
    if (simple) {
      const clean = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
      put.mutate({ enabled: feature.enabled, config: clean });
    } else if (parsed.ok && parsed.value && typeof parsed.value === 'object') {
      put.mutate({ enabled: feature.enabled, config: parsed.value as Record<string, unknown> });
    }
  };
  return (
    <Card withBorder padding="md" data-testid={`feature-${feature.key}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={2}>
            <Group gap="xs">
              <Text fw={600}>{t(`feature_${feature.key}`, { defaultValue: humanize(feature.key) })}</Text>
              {!feature.allowed && (
                <Badge color="yellow" variant="light">
                  {t('notAllowed')}
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed" ff="monospace" dir="ltr" ta="start">
              {feature.key}
            </Text>
          </Stack>
          <Switch
            size="md"
            checked={feature.enabled}
            disabled={!write || put.isPending}
            onChange={(e) => put.mutate({ enabled: e.currentTarget.checked })}
            aria-label={t('enabled')}
            label={feature.enabled ? t('on') : t('off')}
          />
        </Group>
        {/* The API describes each feature in English; other languages have the translated name only. */}
        {i18n.language === 'en' && (
          <Text size="sm" c="dimmed">
            {feature.description}
          </Text>
        )}
        {notAllowed && (
          <Alert color="yellow" role="alert" title={t('notAllowedTitle')}>
            {t('notAllowedText')}
          </Alert>
        )}
        {hasConfig && (
          <Stack gap="xs">
            {simple ? (
              Object.entries(props).map(([k, s]) => (
                <SchemaInput
                  key={k}
                  schema={s}
                  label={t(`cfg_${k}`, { defaultValue: humanize(k) })}
                  value={config[k]}
                  onChange={(v) => setConfig((c) => ({ ...c, [k]: v }))}
                  error={errors[`config.${k}`] ?? errors[k]}
                  secretSet={isSecret(feature, k) ? feature.secretsSet.includes(k) : undefined}
                />
              ))
            ) : (
              <JsonField label={t('config')} text={json} onChange={setJson} error={errors.config} />
            )}
            {write && (
              <Group justify="flex-end" gap="xs">
                <SavedNote show={saved && !put.isPending} />
                <Button size="xs" onClick={saveConfig} loading={put.isPending} disabled={!simple && !parsed.ok}>
                  {t('saveConfig')}
                </Button>
              </Group>
            )}
          </Stack>
        )}
        {!notAllowed && <FormError error={put.error} shown={errors} />}
      </Stack>
    </Card>
  );
}

/** Secret fields are never shown back; the API lists those that are set. Names that hold one are treated as such. */
function isSecret(feature: Feature, key: string): boolean {
  return feature.secretsSet.includes(key) || /token|secret|merchantId|password/i.test(key);
}
