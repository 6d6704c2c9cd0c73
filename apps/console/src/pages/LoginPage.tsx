import { Alert, Button, Card, Center, Loader, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { signIn } from '../auth/session';
import { LanguagePicker } from '../components/LanguagePicker';

/** The console page that sent the browser here, when the new session may open it; else the start page. */
function returnTo(state: unknown, session: { kind: string; botId: string | null }): string {
  const from = (state as { from?: unknown } | null)?.from;
  if (typeof from !== 'string' || !from.startsWith('/') || from.startsWith('//')) return '/';
  if (session.kind === 'master' || !from.startsWith('/bots/')) return from;
  return from.startsWith(`/bots/${session.botId}/`) ? from : '/';
}

/**
 * Sign-in. The bot's one-time link opens /console/login#code=…[&to=/bots/<id>/settings]: the code is in the fragment,
 * so it never reaches a server log or a Referer; it is taken off the address bar at once and exchanged for the
 * session cookie.
 */
export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState('');
  const started = useRef(false);

  const finish = async (body: { code: string } | { apiToken: string }, refused: string, linkTo?: string) => {
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(body);
      await client.resetQueries({ queryKey: ['session'] });
      navigate(returnTo(linkTo !== undefined ? { from: linkTo } : location.state, session), { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 429 ? e.message : refused);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const params = new URLSearchParams(window.location.hash.slice(1));
    const code = params.get('code');
    if (!code) return;
    window.history.replaceState(null, '', window.location.pathname);
    // A link may name the page to open after sign-in (`to`, beside the code): checked like any return target.
    void finish({ code }, t('linkRefused'), params.get('to') ?? undefined);
  }, []);

  return (
    <Center mih="100vh" p="md">
      <Card withBorder shadow="sm" padding="lg" radius="md" w={420} maw="100%">
        <Stack>
          <Title order={2}>{t('brand')}</Title>
          <LanguagePicker />
          {busy && (
            <Center>
              <Loader size="sm" />
              <Text ms="sm">{t('signingIn')}</Text>
            </Center>
          )}
          {error && (
            <Alert color="red" role="alert" data-testid="login-error">
              {error}
            </Alert>
          )}
          <Text size="sm">{t('linkHint')}</Text>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (token.trim()) void finish({ apiToken: token.trim() }, t('tokenRefused'));
            }}
          >
            <Stack gap="xs">
              <PasswordInput
                label={t('pasteToken')}
                placeholder={t('apiToken')}
                value={token}
                onChange={(e) => setToken(e.currentTarget.value)}
                autoComplete="off"
              />
              <Button type="submit" disabled={busy || !token.trim()}>
                {t('signIn')}
              </Button>
            </Stack>
          </form>
        </Stack>
      </Card>
    </Center>
  );
}
