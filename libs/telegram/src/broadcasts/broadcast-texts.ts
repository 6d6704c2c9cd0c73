import type { BroadcastAudience, BroadcastProgress } from '@botfleet/broadcasts';
import type { BroadcastEntity } from '@botfleet/dal';
import { translate } from '../i18n/translate';
import { plain } from '../text/html';

type Language = 'fa' | 'en' | 'ru';

/** How a broadcast is named in the admin's chat: `#` and the first 8 characters of its id. */
export function broadcastRef(b: Pick<BroadcastEntity, 'id'>): string {
  return `#${b.id.slice(0, 8)}`;
}

export function broadcastAudienceText(lang: Language, a: BroadcastAudience): string {
  const segment = translate(lang, `broadcast.segment.${a.segment}`);
  return a.language ? translate(lang, 'broadcast.segment.language', { segment, language: a.language }) : segment;
}

/** The note under a preview: which broadcast, to how many, and that nobody got it yet. */
export function broadcastPreviewNote(
  lang: Language,
  b: Pick<BroadcastEntity, 'id'>,
  audience: BroadcastAudience,
  count: number,
): string {
  return translate(lang, 'broadcast.previewNote', {
    ref: broadcastRef(b),
    count,
    audience: broadcastAudienceText(lang, audience),
  });
}

/** The progress message in the admin chat: running, completed, cancelled or failed (with why). */
export function broadcastProgressText(
  lang: Language,
  b: Pick<BroadcastEntity, 'id' | 'status' | 'failure'>,
  p: BroadcastProgress,
): string {
  const vars = {
    ref: broadcastRef(b),
    sent: p.sent,
    total: p.total,
    failed: p.failed,
    blocked: p.blocked,
    // An ended broadcast's "not sent" are the deliveries it skipped.
    remaining: p.remaining + p.skipped,
    rate: p.ratePerSecond,
  };
  switch (b.status) {
    case 'completed':
      return translate(lang, 'broadcast.completed', vars);
    case 'cancelled':
      return translate(lang, 'broadcast.cancelled', vars);
    case 'failed':
      return translate(lang, 'broadcast.failed', { ...vars, reason: { html: plain(b.failure ?? '-', 300) } });
    default:
      return translate(lang, 'broadcast.progress', vars);
  }
}
