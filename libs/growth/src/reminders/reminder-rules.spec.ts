import { DEFAULT_REMINDERS, dueReminders, resolveReminderSettings } from './reminder-rules';

const DAY = 24 * 60 * 60 * 1000;
const END = new Date('2026-12-10T00:00:00Z');
const sub = (over: Partial<Parameters<typeof dueReminders>[0]> = {}) => ({
  id: 'sub',
  botId: 'bot',
  userId: 'user',
  planId: 'plan',
  status: 'active' as const,
  expiresAt: END,
  trafficLimitBytes: 100,
  trafficUsedBytes: 0,
  isTrial: false,
  ...over,
});
const at = (msBeforeEnd: number) => new Date(END.getTime() - msBeforeEnd);
const kinds = (s = sub(), now: Date, settings = DEFAULT_REMINDERS) =>
  dueReminders(s, settings, now).map((r) => `${r.kind}:${r.days ?? r.percent ?? ''}`);

describe('reminder rules', () => {
  it('the nearest expiry threshold passed, none before the first', () => {
    expect(kinds(sub(), at(4 * DAY))).toEqual([]);
    expect(kinds(sub(), at(3 * DAY))).toEqual(['expiring:3']);
    expect(kinds(sub(), at(2 * DAY))).toEqual(['expiring:3']);
    expect(kinds(sub(), at(DAY - 1))).toEqual(['expiring:1']);
  });

  it('expired once the end passed, for a week, active or already expired', () => {
    expect(kinds(sub(), at(-1))).toEqual(['expired:']);
    expect(kinds(sub({ status: 'expired' }), at(-6 * DAY))).toEqual(['expired:']);
    expect(kinds(sub({ status: 'expired' }), at(-8 * DAY))).toEqual([]);
    expect(kinds(sub({ status: 'disabled' }), at(-1))).toEqual([]);
  });

  it('the highest traffic percent reached; unlimited traffic never', () => {
    expect(kinds(sub({ trafficUsedBytes: 79 }), at(10 * DAY))).toEqual([]);
    expect(kinds(sub({ trafficUsedBytes: 80 }), at(10 * DAY))).toEqual(['traffic:80']);
    expect(kinds(sub({ trafficUsedBytes: 120 }), at(10 * DAY))).toEqual(['traffic:100']);
    expect(kinds(sub({ trafficLimitBytes: 0, trafficUsedBytes: 1e12 }), at(10 * DAY))).toEqual([]);
  });

  it('once-keys name the kind, threshold, subscription and period', () => {
    const [r] = dueReminders(sub(), DEFAULT_REMINDERS, at(DAY / 2));
    expect(r.dedupeKey).toBe(`reminder:expiring:1:sub:${END.getTime()}`);
    const later = dueReminders(
      sub({ expiresAt: new Date(END.getTime() + 30 * DAY) }),
      DEFAULT_REMINDERS,
      at(-29.5 * DAY),
    );
    expect(later[0].dedupeKey).not.toBe(r.dedupeKey);
  });

  it("the tenant's settings: unsorted thresholds, the expired notice off", () => {
    const s = resolveReminderSettings({ expiryDays: [1, 7], expired: false, trafficPercents: [100, 50] });
    expect(s.expiryDays).toEqual([1, 7]);
    expect(kinds(sub({ trafficUsedBytes: 60 }), at(5 * DAY), s)).toEqual(['expiring:7', 'traffic:50']);
    expect(kinds(sub(), at(-1), s)).toEqual([]);
  });
});
