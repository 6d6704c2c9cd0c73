import { AppShell, Burger, Button, Group, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { signOut, useCan, useSession } from '../auth/session';
import { operatorNav } from '../pages/operator/nav';
import { resellerNav, type NavEntry } from '../pages/reseller/nav';
import { LanguagePicker } from './LanguagePicker';

/**
 * The frame of every signed-in page: a header (brand, language, sign out) and the menu, which folds behind a
 * burger at a phone's width. The shop's menu shows only what the admin's role may open.
 */
export function Shell() {
  const { t } = useTranslation();
  const session = useSession();
  const can = useCan();
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [opened, { toggle, close }] = useDisclosure(false);

  const botId = /^\/bots\/([^/]+)/.exec(location.pathname)?.[1] ?? (session.kind === 'tenant' ? session.botId : null);
  const links = (entries: NavEntry[], base: string) =>
    entries
      .filter((e) => e.permission === 'operator' || can(e.permission))
      .map((e) => {
        const to = `${base}/${e.to}`;
        return (
          <NavLink
            key={to}
            component={Link}
            to={to}
            label={t(e.label)}
            active={location.pathname === to || location.pathname.startsWith(`${to}/`)}
            onClick={close}
          />
        );
      });

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="menu" />
            <Text fw={700} component={Link} to="/">
              {t('brand')}
            </Text>
            {session.botName && (
              <Text size="sm" c="dimmed" visibleFrom="xs">
                {session.botName}
              </Text>
            )}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Group visibleFrom="md">
              <LanguagePicker />
            </Group>
            <Button
              size="xs"
              variant="subtle"
              onClick={async () => {
                await signOut();
                client.setQueryData(['session'], null);
                navigate('/login', { replace: true });
              }}
            >
              {t('signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <ScrollArea>
          <Stack gap={2}>
            {session.kind === 'master' && (
              <>
                <Text size="xs" c="dimmed" px="sm" pt="xs">
                  {t('operator')}
                </Text>
                {links(operatorNav, '/operator')}
              </>
            )}
            {botId && (
              <>
                <Text size="xs" c="dimmed" px="sm" pt="xs">
                  {t('shop')}
                </Text>
                {links(resellerNav, `/bots/${botId}`)}
              </>
            )}
            <NavLink component={Link} to="/sessions" label={t('sessions')} onClick={close} />
            {/* On a phone (and a narrow tablet) the language sits in the menu, not in the header. */}
            <Stack hiddenFrom="md" px="sm" pt="md">
              <LanguagePicker />
            </Stack>
          </Stack>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
