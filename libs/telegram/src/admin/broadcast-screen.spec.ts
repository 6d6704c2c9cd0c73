import type { BroadcastProgress, BroadcastView } from '@botfleet/broadcasts';
import type { BroadcastEntity } from '@botfleet/dal';
import { checkTelegramHtml } from '@botfleet/testing';
import { broadcastScreen } from './admin-screens';

const progress: BroadcastProgress = {
  total: 0,
  sent: 0,
  failed: 0,
  blocked: 0,
  interrupted: 0,
  skipped: 0,
  remaining: 0,
  ratePerSecond: 0,
  etaSeconds: null,
};
const view = (status: BroadcastEntity['status'], failure: string | null): BroadcastView => ({
  broadcast: { id: '0f1e2d3c-0000-4000-8000-000000000000', status, failure } as BroadcastEntity,
  audience: { segment: 'all' },
  progress,
});

/** The bot's screen of one broadcast that ended: a failed one says why, in every language. */
describe('broadcastScreen of an ended broadcast', () => {
  const reason = 'the picture never came: the draft waited 3 days for its upload';

  it.each([
    ['en', 'Why:'],
    ['fa', 'چرا:'],
    ['ru', 'Причина:'],
  ] as const)('%s: a failed broadcast shows its reason', (lang, why) => {
    const shown = checkTelegramHtml(broadcastScreen(lang, view('failed', reason), 0).text);
    expect(shown).toContain(`${why} ${reason}.`);
  });

  it('a failure of hostile text stays plain text', () => {
    const shown = checkTelegramHtml(broadcastScreen('en', view('failed', '<b>x</b> & <a href="y">'), 0).text);
    expect(shown).toContain('Why: <b>x</b> & <a href="y">.');
  });

  it('a cancelled or completed one has no reason line', () => {
    expect(broadcastScreen('en', view('cancelled', 'old preview failure'), 0).text).not.toContain('Why:');
    expect(broadcastScreen('en', view('completed', null), 0).text).not.toContain('Why:');
  });
});
