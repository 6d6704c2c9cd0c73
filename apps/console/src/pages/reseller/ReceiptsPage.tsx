import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { errorText, Page, QueryState } from '../../components/Page';
import { Pager } from '../../components/Pager';
import { alreadyReviewed, ReceiptCard } from './sales/ReceiptCard';
import { useBotId, useCurrency, type Schemas } from './sales/shared';

const PAGE_SIZE = 10;

type Notice = { color: 'green' | 'red' | 'yellow'; text: string };

/** The queue of card receipts waiting for review: approve, or reject with a reason the customer is told. */
export function ReceiptsPage() {
  const { t } = useTranslation('sales');
  const botId = useBotId();
  const currency = useCurrency(botId);
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [rejecting, setRejecting] = useState<Schemas['CardPaymentDto'] | null>(null);
  const [reason, setReason] = useState('');

  const queue = useQuery({
    queryKey: ['card-payments', botId, 'pending', page],
    queryFn: () =>
      unwrap(
        api.GET('/v1/bots/{botId}/card-payments', {
          params: { path: { botId }, query: { status: 'pending', page, pageSize: PAGE_SIZE } },
        }),
      ),
    refetchInterval: 30_000,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['card-payments', botId] });

  const onReviewError = (error: unknown) => {
    setNotice(
      alreadyReviewed(error)
        ? { color: 'yellow', text: t('already_reviewed') }
        : { color: 'red', text: errorText(error) },
    );
    void refresh();
  };

  const approve = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/v1/bots/{botId}/card-payments/{id}/approve', { params: { path: { botId, id } } })),
    onSuccess: (p) => {
      setNotice({ color: 'green', text: t('approved_notice', { tracking: p.trackingNumber }) });
      void refresh();
    },
    onError: onReviewError,
  });
  const reject = useMutation({
    mutationFn: ({ id, why }: { id: string; why: string }) =>
      unwrap(
        api.POST('/v1/bots/{botId}/card-payments/{id}/reject', {
          params: { path: { botId, id } },
          body: { reason: why },
        }),
      ),
    onSuccess: (p) => {
      setNotice({ color: 'green', text: t('rejected_notice', { tracking: p.trackingNumber }) });
      setRejecting(null);
      setReason('');
      void refresh();
    },
    onError: (e) => {
      setRejecting(null);
      onReviewError(e);
    },
  });
  const busyId = approve.isPending ? approve.variables : reject.isPending ? reject.variables.id : null;

  return (
    <Page title={t('receipts')}>
      {notice && (
        <Alert color={notice.color} withCloseButton onClose={() => setNotice(null)} role="status" data-testid="notice">
          {notice.text}
        </Alert>
      )}
      <QueryState query={queue}>
        {(data) =>
          data.items.length === 0 ? (
            <Text c="dimmed" data-testid="receipts-empty">
              {t('no_pending_receipts')}
            </Text>
          ) : (
            <Stack gap="md">
              {data.items.map((p) => (
                <ReceiptCard
                  key={p.id}
                  botId={botId}
                  currency={currency ?? ''}
                  payment={p}
                  busy={busyId === p.id}
                  onApprove={() => {
                    setNotice(null);
                    approve.mutate(p.id);
                  }}
                  onReject={() => {
                    setNotice(null);
                    setReason('');
                    setRejecting(p);
                  }}
                />
              ))}
              <Pager total={data.total} page={data.page} pageSize={data.pageSize} onChange={setPage} />
            </Stack>
          )
        }
      </QueryState>
      <Modal opened={!!rejecting} onClose={() => setRejecting(null)} title={t('reject_title')} centered>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (rejecting && reason.trim()) reject.mutate({ id: rejecting.id, why: reason.trim() });
          }}
        >
          <Stack gap="sm">
            <Text size="sm">{t('reject_hint', { tracking: rejecting?.trackingNumber ?? '' })}</Text>
            <Textarea
              label={t('reason')}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              maxLength={500}
              autosize
              minRows={2}
              required
              data-autofocus
            />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setRejecting(null)}>
                {t('common:cancel')}
              </Button>
              <Button type="submit" color="red" loading={reject.isPending} disabled={!reason.trim()}>
                {t('reject')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Page>
  );
}
