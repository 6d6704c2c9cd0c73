import {
  Alert,
  Badge,
  Button,
  Card,
  Center,
  Group,
  Image,
  Loader,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../../api/client';
import { useCan } from '../../../auth/session';
import { useFormat } from '../../../i18n/format';
import { CustomerLink, type Schemas } from './shared';

/** The receipt's photo through its short-lived signed URL; a placeholder when there is none (or it cannot be had). */
function ReceiptPhoto({ botId, payment }: { botId: string; payment: Schemas['CardPaymentDto'] }) {
  const { t } = useTranslation('sales');
  const hasPhoto = payment.receiptType === 'photo' || !!payment.receiptFileId;
  const url = useQuery({
    queryKey: ['receipt-photo', botId, payment.id],
    queryFn: () =>
      unwrap(api.GET('/v1/bots/{botId}/card-payments/{id}/photo-url', { params: { path: { botId, id: payment.id } } })),
    enabled: hasPhoto,
    // The URL lives five minutes; fetch a new one before it dies.
    staleTime: 4 * 60_000,
    refetchInterval: 4 * 60_000,
    retry: false,
  });
  const placeholder = (text: string) => (
    <Center
      h={260}
      bg="var(--mantine-color-gray-light)"
      style={{ borderRadius: 'var(--mantine-radius-md)' }}
      data-testid="receipt-photo-placeholder"
    >
      <Text c="dimmed" ta="center" px="md">
        {text}
      </Text>
    </Center>
  );
  if (!hasPhoto) return placeholder(payment.receiptText ? t('receipt_is_text') : t('no_photo'));
  if (url.isPending)
    return (
      <Center h={260}>
        <Loader />
      </Center>
    );
  if (url.isError) return placeholder(t('photo_unavailable'));
  return (
    <a href={url.data.url} target="_blank" rel="noreferrer noopener">
      <Image
        src={url.data.url}
        alt={t('receipt_photo')}
        mah={420}
        fit="contain"
        radius="md"
        data-testid="receipt-photo"
        fallbackSrc="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
      />
    </a>
  );
}

/** The card the customer paid to, when the role may see the shop's cards. */
function CardLabel({ botId, cardId }: { botId: string; cardId: string | null }) {
  const can = useCan();
  const card = useQuery({
    queryKey: ['payment-card', botId, cardId],
    queryFn: () =>
      unwrap(api.GET('/v1/bots/{botId}/payment-cards/{cardId}', { params: { path: { botId, cardId: cardId! } } })),
    enabled: !!cardId && can('cards'),
    staleTime: 5 * 60_000,
  });
  if (!cardId) return <>—</>;
  if (!card.data) return <>{`${cardId.slice(0, 8)}…`}</>;
  return (
    <>
      <bdi dir="ltr">{card.data.cardNumberMasked}</bdi> · <bdi>{card.data.cardHolderName}</bdi>
      {card.data.bankName ? ` · ${card.data.bankName}` : ''}
    </>
  );
}

/** One receipt of the queue: the photo beside its details on a desktop, above them on a phone. */
export function ReceiptCard({
  botId,
  currency,
  payment,
  busy,
  onApprove,
  onReject,
}: {
  botId: string;
  currency: string;
  payment: Schemas['CardPaymentDto'];
  busy: boolean;
  onApprove: () => void;
  onReject: () => void;
}) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const rows: [string, ReactNode][] = [
    [
      t('amount'),
      <Text fw={700} key="a">
        {f.money(payment.amountMinor, currency)}
      </Text>,
    ],
    [
      t('tracking_number'),
      <Text ff="monospace" key="n">
        {payment.trackingNumber}
      </Text>,
    ],
    [t('card'), <CardLabel botId={botId} cardId={payment.cardId} key="c" />],
    [t('customer'), <CustomerLink botId={botId} userId={payment.userId} key="u" />],
    [t('sent_at'), f.dateTime(payment.createdAt)],
    [t('purpose'), payment.purpose === 'topup' ? t('purpose_topup') : t('purpose_order')],
  ];
  return (
    <Card withBorder padding="md" data-testid="receipt" data-payment-id={payment.id}>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <ReceiptPhoto botId={botId} payment={payment} />
        <Stack gap="sm">
          {payment.isFlagged && (
            <Alert color="orange" variant="light" title={t('photo_used_before')} data-testid="flag-used-before">
              {t('photo_used_before_hint')}
            </Alert>
          )}
          <Table withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              {rows.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Td c="dimmed" w="40%">
                    {label}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {payment.receiptText && (
            <Card withBorder padding="xs" bg="var(--mantine-color-gray-light)">
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {payment.receiptText}
              </Text>
            </Card>
          )}
          <Group gap="xs" wrap="wrap">
            <Badge variant="light" color="yellow">
              {t('st_pending')}
            </Badge>
            <Text size="xs" c="dimmed">
              {t('expires_at', { at: f.dateTime(payment.expiresAt) })}
            </Text>
          </Group>
          <Group gap="sm" wrap="wrap" mt="auto">
            <Button color="green" loading={busy} onClick={onApprove} data-testid="approve">
              {t('approve')}
            </Button>
            <Button color="red" variant="light" disabled={busy} onClick={onReject} data-testid="reject">
              {t('reject')}
            </Button>
          </Group>
        </Stack>
      </SimpleGrid>
    </Card>
  );
}

/** Whether an error is the API's "someone else reviewed it first". */
export function alreadyReviewed(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}
