/**
 * What the operator is alerted about, through the master bot, once per episode of a condition (see
 * OperatorAlertsService): a tenant's free wholesale balance below OPERATOR_WALLET_ALERT_MINOR, a panel that
 * fails its health check, a subscription whose provisioning failed for good, a switch-off or a refunded order's
 * take-back that failed for good, a bot whose token Telegram revoked.
 */
export type OperatorAlert =
  | {
      kind: 'wallet_low';
      botId: string;
      botUsername: string;
      freeMinor: number;
      currency: string;
      thresholdMinor: number;
    }
  | { kind: 'panel_down'; panelId: string; panelName: string; reason: string }
  | { kind: 'provisioning_failed'; botId: string; botUsername: string; subscriptionId: string }
  | { kind: 'token_revoked'; botId: string; botUsername: string; tokenHash: string }
  /** A switch-off gave up; with `orderId`, a refunded order's take-back (the sale sweep queues it again). */
  | { kind: 'switch_off_failed'; botId: string; botUsername: string; subscriptionId: string; orderId: string | null };

export type OperatorAlertKind = OperatorAlert['kind'];

/** Kinds whose episode ends when the condition clears (the scan sees it gone); the others are one-off events. */
export const STATE_ALERT_KINDS: readonly OperatorAlertKind[] = ['wallet_low', 'panel_down'];

/** How long a one-off event is remembered (its once-key), well past the scan's look-back. */
export const EVENT_ALERT_MEMORY_S = 14 * 24 * 3600;

/** The subject of an episode: the same subject in the same condition is alerted once. */
export function episodeOf(alert: OperatorAlert): string {
  switch (alert.kind) {
    case 'wallet_low':
      return alert.botId;
    case 'panel_down':
      return alert.panelId;
    case 'provisioning_failed':
      return alert.subscriptionId;
    case 'switch_off_failed':
      return alert.orderId ?? alert.subscriptionId;
    case 'token_revoked':
      // A token replaced and revoked again is a new episode; the HMAC is cut short (it names, never proves).
      return `${alert.botId}:${alert.tokenHash.slice(0, 16)}`;
  }
}

/**
 * Sends one alert to one of the master admins (the worker binds it: the master bot's client and the text
 * catalogue). Throws when the message did not go out, so the alert is tried again on the next scan.
 */
export interface OperatorAlertSender {
  send(adminTelegramId: number, alert: OperatorAlert): Promise<void>;
}

export const OPERATOR_ALERT_SENDER = Symbol('OPERATOR_ALERT_SENDER');
