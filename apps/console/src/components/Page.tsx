import { Alert, Button, Center, Group, Loader, Stack, Title } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** A page: its title, optional actions on the title's line, then the content. */
export function Page({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>{title}</Title>
        {actions && <Group gap="xs">{actions}</Group>}
      </Group>
      {children}
    </Stack>
  );
}

/** Loading, error (with the API's message and Retry) or the data. */
export function QueryState<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending)
    return (
      <Center p="xl" aria-busy="true">
        <Loader />
      </Center>
    );
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

/** A note of what was just done (saved, deleted…), until closed. */
export function Notice({ text, onClose }: { text: string | null; onClose: () => void }) {
  if (!text) return null;
  return (
    <Alert color="blue" withCloseButton onClose={onClose} role="status">
      {text}
    </Alert>
  );
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const notFound = error instanceof ApiError && error.status === 404;
  const forbidden = error instanceof ApiError && error.status === 403;
  const message = notFound ? t('notFound') : forbidden ? t('forbidden') : errorText(error);
  return (
    <Alert color="red" title={notFound ? t('notFound') : t('error')} role="alert">
      <Stack gap="xs">
        <span>{message}</span>
        {onRetry && !notFound && !forbidden && (
          <Button size="xs" variant="light" onClick={onRetry} w="fit-content">
            {t('retry')}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
