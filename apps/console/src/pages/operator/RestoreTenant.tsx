import { Alert, Anchor, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, ApiError, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/Page';

interface TakenBy {
  botId: string | null;
  name: string | null;
}

/** The live tenant named by a 409 BOT_TOKEN_TAKEN of the restore, if that is what the error is. */
function takenBy(error: unknown): TakenBy | null {
  if (!(error instanceof ApiError) || error.code !== 'BOT_TOKEN_TAKEN') return null;
  const holder = (error.details as { takenBy?: TakenBy } | undefined)?.takenBy;
  return { botId: holder?.botId ?? null, name: holder?.name ?? null };
}

/**
 * Restore a deleted tenant, after a confirmation: it comes back paused with all its data, and the console opens its
 * page. When a newer tenant holds the same Telegram bot the API refuses (nothing changes) and the dialog names it.
 */
export function RestoreTenantButton({ bot }: { bot: { id: string; name: string } }) {
  const { t } = useTranslation('operator');
  const [open, setOpen] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  const restore = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/bots/{botId}/restore', { params: { path: { botId: bot.id } } })),
    onSuccess: async () => {
      setOpen(false);
      await Promise.all([
        client.invalidateQueries({ queryKey: ['operator', 'tenants'] }),
        client.invalidateQueries({ queryKey: ['operator', 'tenant', bot.id] }),
        client.invalidateQueries({ queryKey: ['operator', 'stats'] }),
      ]);
      navigate(`/operator/tenants/${bot.id}`);
    },
  });
  const holder = takenBy(restore.error);
  return (
    <>
      <Button
        size="xs"
        variant="light"
        color="green"
        data-restore={bot.id}
        onClick={(e) => {
          e.stopPropagation();
          restore.reset();
          setOpen(true);
        }}
      >
        {t('restore')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('restoreTitle', { name: bot.name })} centered>
        <Stack gap="md" onClick={(e) => e.stopPropagation()}>
          <Text size="sm">{t('restoreExplain')}</Text>
          {holder ? (
            <Alert color="orange" data-taken-by={holder.botId ?? ''}>
              <Stack gap={4}>
                <Text size="sm">{t('restoreTaken', { name: holder.name ?? '?' })}</Text>
                {holder.botId && (
                  <Anchor component={Link} to={`/operator/tenants/${holder.botId}`} size="sm">
                    {t('restoreOpenHolder', { name: holder.name ?? holder.botId })}
                  </Anchor>
                )}
              </Stack>
            </Alert>
          ) : (
            restore.isError && <ErrorAlert error={restore.error} />
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setOpen(false)}>
              {t('common:cancel')}
            </Button>
            <Button
              color="green"
              loading={restore.isPending}
              disabled={holder !== null}
              onClick={() => restore.mutate()}
              data-confirm
            >
              {t('restore')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
