import { Alert, Button, Group, Modal, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../../api/client';
import { useCan } from '../../../auth/session';
import { errorText } from '../../../components/Page';
import { useFormat } from '../../../i18n/format';
import type { Schemas } from './shared';

/** Methods whose orders the shop refunds here; Stars payments are refunded through their gateway (Payments page). */
/** Whether the Refund action applies to this order: the API says so (RefundOrderUseCase.refundable, one rule). */
export function canRefundOrder(o: Schemas['OrderDto']): boolean {
  return o.refundable;
}

/**
 * Whether a refund now leaves the wholesale charge with the platform: the order has one and its refund window
 * (`wholesaleRefundableUntil`, 48 hours after the payment) is over.
 */
export function wholesaleKept(o: Schemas['OrderDto'], now = Date.now()): boolean {
  return o.wholesaleMinor > 0 && !!o.wholesaleRefundableUntil && Date.parse(o.wholesaleRefundableUntil) < now;
}

/** The order's wholesale refund window in hours (from its payment to `wholesaleRefundableUntil`). */
function refundWindowHours(o: Schemas['OrderDto']): number {
  if (!o.paidAt || !o.wholesaleRefundableUntil) return 0;
  return Math.round((Date.parse(o.wholesaleRefundableUntil) - Date.parse(o.paidAt)) / 3_600_000);
}

/** Everything a refund or a switch-off changes on the pages. */
function useRefreshSales(botId: string) {
  const client = useQueryClient();
  return () => {
    for (const key of ['orders', 'subscriptions', 'user', 'user-wallet', 'users', 'payments']) {
      void client.invalidateQueries({ queryKey: [key, botId] });
    }
  };
}

/**
 * A reason, then a confirmation that says what will happen, then the call; an error (409 already refunded, 403)
 * stays on the confirmation with the API's message.
 */
function ConfirmFlow({
  title,
  opened,
  onClose,
  reasonRequired,
  extra,
  summary,
  onConfirm,
  pending,
  error,
  testId,
}: {
  title: string;
  opened: boolean;
  onClose: () => void;
  reasonRequired: boolean;
  extra?: ReactNode;
  summary: (reason: string) => ReactNode;
  onConfirm: (reason: string) => void;
  pending: boolean;
  error: unknown;
  testId: string;
}) {
  const { t } = useTranslation('sales');
  const [step, setStep] = useState<'form' | 'confirm'>('form');
  const [reason, setReason] = useState('');
  const close = () => {
    setStep('form');
    setReason('');
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={title} centered>
      {step === 'form' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!reasonRequired || reason.trim()) setStep('confirm');
          }}
        >
          <Stack gap="sm">
            {extra}
            <Textarea
              label={t('reason')}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              maxLength={500}
              required={reasonRequired}
              data-testid={`${testId}-reason`}
            />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={close}>
                {t('common:cancel')}
              </Button>
              <Button type="submit" disabled={reasonRequired && !reason.trim()} data-testid={`${testId}-continue`}>
                {t('continue')}
              </Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <Stack gap="sm">
          {summary(reason.trim())}
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {t('reason')}: {reason.trim()}
          </Text>
          {!!error && <Alert color="red">{errorText(error)}</Alert>}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setStep('form')} disabled={pending}>
              {t('back')}
            </Button>
            <Button
              color="red"
              loading={pending}
              onClick={() => onConfirm(reason.trim())}
              data-testid={`${testId}-confirm`}
            >
              {t('confirm')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** The Refund action of an order row: reason, where the money goes (wallet / paid back by the shop), confirmation. */
export function RefundOrderButton({ botId, order }: { botId: string; order: Schemas['OrderDto'] }) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const refresh = useRefreshSales(botId);
  const [open, setOpen] = useState(false);
  // Into the customer's wallet only for a role that may move balance (the API refuses it to others anyway).
  const toWallet = useCan()('wallet');
  const [to, setTo] = useState<'wallet' | 'offline'>(toWallet ? 'wallet' : 'offline');
  const refund = useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.POST('/v1/bots/{botId}/orders/{id}/refund', {
          params: { path: { botId, id: order.id } },
          body: { reason, to },
        }),
      ),
    onSuccess: () => {
      setOpen(false);
      refresh();
    },
  });
  const amount = f.money(order.amountMinor, order.currency);
  return (
    <>
      <Button
        size="compact-xs"
        variant="light"
        color="grape"
        onClick={() => {
          refund.reset();
          setTo(toWallet ? 'wallet' : 'offline');
          setOpen(true);
        }}
        data-testid="refund-order"
      >
        {t('refund')}
      </Button>
      <ConfirmFlow
        title={t('refund_order')}
        opened={open}
        onClose={() => setOpen(false)}
        reasonRequired
        extra={
          <SegmentedControl
            value={to}
            onChange={(v) => setTo(v as 'wallet' | 'offline')}
            data={[
              ...(toWallet ? [{ value: 'wallet', label: t('refund_to_wallet') }] : []),
              { value: 'offline', label: t('refund_offline') },
            ]}
            data-testid="refund-to"
          />
        }
        summary={() => (
          <Stack gap="xs">
            <Text>{t(to === 'wallet' ? 'confirm_refund_wallet' : 'confirm_refund_offline', { amount })}</Text>
            {wholesaleKept(order) && (
              <Alert color="yellow" data-testid="refund-wholesale-kept">
                {t('refund_wholesale_kept', {
                  wholesale: f.money(order.wholesaleMinor, order.currency),
                  hours: refundWindowHours(order),
                })}
              </Alert>
            )}
          </Stack>
        )}
        onConfirm={(reason) => refund.mutate(reason)}
        pending={refund.isPending}
        error={refund.error}
        testId="refund"
      />
    </>
  );
}

/**
 * The Refund action of a gateway payment the API says it can refund now (Telegram Stars, CryptoBot): a
 * confirmation that says what happens, then one call (a second click while it runs does nothing; the API refunds
 * once anyway). A refusal (409 spent from the wallet, 503 the gateway down, 403) stays on the confirmation with the
 * API's message.
 */
export function RefundPaymentButton({ botId, payment }: { botId: string; payment: Schemas['PaymentDto'] }) {
  const { t } = useTranslation('sales');
  const f = useFormat();
  const refresh = useRefreshSales(botId);
  const [open, setOpen] = useState(false);
  const inFlight = useRef(false);
  const refund = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/bots/{botId}/payments/{id}/refund', {
          params: { path: { botId, id: payment.id } },
        }),
      ),
    onSuccess: () => {
      setOpen(false);
      refresh();
    },
    onSettled: () => {
      inFlight.current = false;
    },
  });
  const confirm = () => {
    if (inFlight.current) return;
    inFlight.current = true;
    refund.mutate();
  };
  const charged =
    payment.gatewayAmount && payment.gatewayUnit
      ? `${payment.gatewayAmount} ${payment.gatewayUnit}`
      : f.money(payment.amountMinor, payment.currency);
  const method = t(`m_${payment.method}`, { defaultValue: payment.method });
  return (
    <>
      <Button
        size="compact-xs"
        variant="light"
        color="grape"
        onClick={() => {
          refund.reset();
          setOpen(true);
        }}
        data-testid="refund-payment"
      >
        {t('refund')}
      </Button>
      <Modal opened={open} onClose={() => !refund.isPending && setOpen(false)} title={t('refund_payment')} centered>
        <Stack gap="sm">
          <Text>
            {t(payment.purpose === 'topup' ? 'confirm_refund_topup' : 'confirm_refund_payment', { charged, method })}
          </Text>
          {!!refund.error && (
            <Alert color="red" role="alert" data-testid="refund-payment-error">
              {errorText(refund.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setOpen(false)} disabled={refund.isPending}>
              {t('common:cancel')}
            </Button>
            <Button color="red" loading={refund.isPending} onClick={confirm} data-testid="refund-payment-confirm">
              {t('confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** The Disable action of a subscription: switched off on its panel by hand, with a reason, after a confirmation. */
export function DisableSubscriptionButton({
  botId,
  subscription,
}: {
  botId: string;
  subscription: Schemas['SubscriptionDto'];
}) {
  const { t } = useTranslation('sales');
  const refresh = useRefreshSales(botId);
  const [open, setOpen] = useState(false);
  const disable = useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.POST('/v1/bots/{botId}/subscriptions/{id}/disable', {
          params: { path: { botId, id: subscription.id } },
          body: { reason },
        }),
      ),
    onSuccess: () => {
      setOpen(false);
      refresh();
    },
  });
  return (
    <>
      <Button
        size="compact-xs"
        variant="light"
        color="red"
        onClick={() => {
          disable.reset();
          setOpen(true);
        }}
        data-testid="disable-subscription"
      >
        {t('disable')}
      </Button>
      <ConfirmFlow
        title={t('disable_subscription')}
        opened={open}
        onClose={() => setOpen(false)}
        reasonRequired
        summary={() => <Text>{t('confirm_disable')}</Text>}
        onConfirm={(reason) => disable.mutate(reason)}
        pending={disable.isPending}
        error={disable.error}
        testId="disable"
      />
    </>
  );
}

/**
 * "Resend link" (POST …/subscriptions/{id}/resend, the bot's /admin button's use case): the bot sends the customer
 * their link and QR code again. Nothing is taken or changed, so no confirmation; presses within a minute send once.
 */
export function ResendLinkButton({ botId, subscription }: { botId: string; subscription: Schemas['SubscriptionDto'] }) {
  const { t } = useTranslation('sales');
  const resend = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/bots/{botId}/subscriptions/{id}/resend', {
          params: { path: { botId, id: subscription.id } },
        }),
      ),
  });
  return (
    <Stack gap={4} align="flex-start">
      <Button
        size="compact-xs"
        variant="light"
        loading={resend.isPending}
        onClick={() => resend.mutate()}
        data-testid="resend-link"
      >
        {t('resend_link')}
      </Button>
      {resend.isSuccess && (
        <Text
          size="xs"
          c="green"
          style={{ whiteSpace: 'nowrap' }}
          title={t('resend_sent_note')}
          data-testid="resend-sent"
        >
          {t('resend_sent')}
        </Text>
      )}
      {resend.isError && (
        <Text size="xs" c="red" data-testid="resend-error">
          {errorText(resend.error)}
        </Text>
      )}
    </Stack>
  );
}
