import type { BroadcastProgress } from '@botfleet/broadcasts';
import type { BroadcastEntity } from '@botfleet/dal';
import { checkTelegramHtml, HOSTILE_CASES } from '@botfleet/testing';
import { broadcastPreviewNote, broadcastProgressText } from './broadcast-texts';

const LANGS = ['fa', 'en', 'ru'] as const;
const progress: BroadcastProgress = {
  total: 2_000,
  sent: 1_500,
  failed: 3,
  blocked: 7,
  interrupted: 1,
  skipped: 0,
  remaining: 490,
  ratePerSecond: 25.4,
  etaSeconds: 20,
};
const broadcast = (status: BroadcastEntity['status'], failure: string | null = null) => ({
  id: '0f1e2d3c-0000-4000-8000-000000000000',
  status,
  failure,
});

/** The broadcast screens in the admin chat with the hostile-string corpus (README "Hostile text"). */
describe('broadcast texts (hostile strings)', () => {
  it.each(HOSTILE_CASES)('a failure reason that is %s stays inside its place in every language', (_name, hostile) => {
    for (const lang of LANGS) {
      const text = broadcastProgressText(lang, broadcast('failed', hostile), progress);
      const shown = checkTelegramHtml(text);
      expect(shown).toContain('1500');
    }
  });

  it('every state and the preview note are valid HTML in every language', () => {
    for (const lang of LANGS) {
      for (const status of ['running', 'completed', 'cancelled', 'failed'] as const) {
        expect(checkTelegramHtml(broadcastProgressText(lang, broadcast(status), progress))).toContain('#0f1e2d3c');
      }
      const note = broadcastPreviewNote(lang, broadcast('draft'), { segment: 'never_bought', language: 'fa' }, 42);
      expect(checkTelegramHtml(note)).toContain('42');
    }
    expect(broadcastProgressText('en', broadcast('running'), progress)).toContain('≈ 25.4 per second');
  });
});
