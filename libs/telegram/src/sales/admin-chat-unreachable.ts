import { classifyTelegramError } from '../client/telegram-errors';
import { RecipientGoneError } from '../messaging/recipient-gone';

/** Why the admin chat (or its topic) cannot take a message: each has its own text for the owner. */
export type AdminChatUnreachable = 'chatNotFound' | 'botRemoved' | 'noRights' | 'topicClosed';

const REASONS: readonly [RegExp, AdminChatUnreachable][] = [
  [/topic_closed|topic_deleted|message thread not found|topic.*(closed|deleted)/i, 'topicClosed'],
  [/bot was kicked|bot is not a member|bot was blocked|user is deactivated|chat was deleted/i, 'botRemoved'],
  [/not enough rights|have no rights|chat_write_forbidden|_forbidden|need administrator rights/i, 'noRights'],
  [/chat not found|chat_id_invalid|peer_id_invalid|upgraded to a supergroup/i, 'chatNotFound'],
];

/**
 * Whether a failed send says the admin chat will not take messages until someone fixes it (Telegram 400
 * "chat not found", 403 "bot was kicked" / "not a member", "not enough rights", a closed or deleted topic),
 * rather than a passing fault (429, 5xx, network) worth retrying. A retry cannot help the former, so the
 * review goes to the owner's private chat at once.
 */
export function adminChatUnreachable(err: unknown): AdminChatUnreachable | null {
  if (err instanceof RecipientGoneError) return 'botRemoved';
  const failure = classifyTelegramError(err);
  if (failure.kind !== 'bad_request' && failure.kind !== 'forbidden') return null;
  for (const [pattern, reason] of REASONS) if (pattern.test(failure.description)) return reason;
  return null;
}
