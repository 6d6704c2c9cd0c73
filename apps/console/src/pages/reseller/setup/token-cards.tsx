import { Alert, Button, Card, Code, CopyButton, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema';
import { signIn, useSession } from '../../../auth/session';
import { ConfirmButton, fieldErrors, FormError, SavedNote, useBotId } from './shared';

type Bot = components['schemas']['BotDto'];

/** The message for the token field, when the API's answer is about the token itself; else undefined. */
function tokenFieldError(error: unknown, t: (key: string, o?: Record<string, unknown>) => string, bot: Bot) {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 400 && fieldErrors(error).telegramBotToken) return t('tgTokenFormat');
  switch (error.code) {
    case 'TELEGRAM_TOKEN_REJECTED':
      return t('tgTokenRejected');
    case 'TELEGRAM_BOT_MISMATCH':
      return t('tgTokenOtherBot', { username: bot.telegramUsername });
    case 'BOT_TOKEN_TAKEN':
      return t('tgTokenTaken');
    default:
      return undefined;
  }
}

/**
 * The bot's Telegram token, replaced with the one @BotFather gives after a revoke. The API checks it with Telegram
 * (getMe, the same bot) and a bot stopped as token_invalid runs again. The token is only ever sent in the PUT's
 * body: the input has no name (a form that somehow submitted natively would put nothing in the address), it is
 * never shown back, and the field is emptied once it is accepted.
 */
export function TelegramTokenCard({ bot }: { bot: Bot }) {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const client = useQueryClient();
  const [token, setToken] = useState('');
  const [saved, setSaved] = useState(false);
  const replace = useMutation({
    mutationFn: (telegramBotToken: string) =>
      unwrap(
        api.PUT('/v1/bots/{botId}/telegram-token', {
          params: { path: { botId } },
          // A shop keeps its own Telegram bot; moving to another is the platform's call.
          body: { telegramBotToken, allowDifferentBot: false },
        }),
      ),
    onSuccess: (b) => {
      setToken('');
      setSaved(true);
      client.setQueryData(['bot', botId], b);
    },
  });
  const fieldError = tokenFieldError(replace.error, t, bot);
  return (
    <Card withBorder padding="md" data-testid="telegram-token-card">
      <form
        autoComplete="off"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          if (token.trim()) replace.mutate(token.trim());
        }}
      >
        <Stack gap="sm">
          <Title order={4}>{t('tgTokenTitle')}</Title>
          {bot.status === 'token_invalid' && (
            <Alert color="red" role="alert" data-testid="token-invalid-alert">
              {t('tgTokenInvalidNow', { username: bot.telegramUsername })}
            </Alert>
          )}
          <Text size="sm" c="dimmed">
            {t('tgTokenHint', { username: bot.telegramUsername })}
          </Text>
          <PasswordInput
            label={t('tgTokenLabel')}
            placeholder="123456789:AA…"
            value={token}
            onChange={(e) => {
              setSaved(false);
              if (replace.error) replace.reset();
              setToken(e.currentTarget.value);
            }}
            error={fieldError}
            // Mantine's PasswordInput marks only data-invalid; screen readers need aria-invalid.
            aria-invalid={fieldError ? true : undefined}
            autoComplete="off"
            spellCheck={false}
            dir="ltr"
            data-1p-ignore
          />
          <FormError error={fieldError ? null : replace.error} />
          <Group justify="flex-end" gap="xs">
            <SavedNote show={saved}>{t('tgTokenSaved')}</SavedNote>
            <Button type="submit" loading={replace.isPending} disabled={!token.trim()} data-testid="tg-token-save">
              {t('tgTokenSave')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/**
 * A new API token for the shop's scripts. Asked first (the old token dies at once), then shown once, with a copy
 * button, only in this component's state: nothing is stored in the browser and it is gone on reload. A browser
 * signed in by pasting the old token would be signed out with it, so it signs in again with the new one.
 */
export function ApiTokenCard({ bot }: { bot: Bot }) {
  const { t } = useTranslation('setup');
  const botId = useBotId();
  const session = useSession();
  const client = useQueryClient();
  const [issued, setIssued] = useState<string | null>(null);
  const rotate = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/bots/{botId}/api-token/rotate', { params: { path: { botId } } })),
    onSuccess: (next) => {
      setIssued(next.apiToken);
      client.setQueryData<Bot>(['bot', botId], (b) => b && { ...b, apiTokenPrefix: next.apiTokenPrefix });
      if (session.kind === 'tenant' && session.telegramId === null) {
        // Shown first: should this sign-in fail, the token is on screen until the session's end is noticed.
        signIn({ apiToken: next.apiToken })
          .then(() => client.invalidateQueries({ queryKey: ['session'] }))
          .catch(() => undefined);
      }
    },
  });
  return (
    <Card withBorder padding="md" data-testid="api-token-card">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={4}>{t('apiTokenTitle')}</Title>
          {!issued && (
            <ConfirmButton
              label={t('apiTokenRotate')}
              question={t('apiTokenRotateQuestion')}
              onConfirm={() => rotate.mutate()}
              loading={rotate.isPending}
            />
          )}
        </Group>
        <Text size="sm" c="dimmed">
          {t('apiTokenHint')}
        </Text>
        {bot.apiTokenPrefix && !issued && (
          <Text size="sm">
            {t('apiTokenCurrent')}{' '}
            <Code dir="ltr" data-testid="api-token-prefix">
              {bot.apiTokenPrefix}…
            </Code>
          </Text>
        )}
        <FormError error={rotate.error} />
        {issued && (
          <Stack gap="xs">
            <Alert color="yellow" role="alert" title={t('apiTokenShownOnce')}>
              {t('apiTokenOldStops')}
            </Alert>
            <Group gap="xs" wrap="nowrap">
              <Code
                block
                dir="ltr"
                data-testid="new-api-token"
                style={{ flex: 1, fontSize: 'var(--mantine-font-size-md)', wordBreak: 'break-all' }}
              >
                {issued}
              </Code>
              <CopyButton value={issued}>
                {({ copied, copy }) => (
                  <Button variant="light" color={copied ? 'green' : undefined} onClick={copy} miw={90}>
                    {copied ? t('copied') : t('copy')}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setIssued(null)} data-testid="api-token-hide">
                {t('apiTokenSavedIt')}
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
