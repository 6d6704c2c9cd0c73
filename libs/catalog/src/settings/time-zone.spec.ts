import { CONFIGURATION_KEYS } from './configuration-keys';
import { validateSchema } from './schema';
import { calendarOf, DEFAULT_TIME_ZONE, isIntlTimeZone, localDay, monthStart, shopTimeZone } from './time-zone';

describe("the shop's calendar", () => {
  it('a Persian shop\'s "this month" began on the first day of the Solar Hijri month', () => {
    const persian = (day: string) => monthStart(day, calendarOf('fa'));
    expect(persian('2026-03-20')).toBe('2026-02-20'); // 29 Esfand 1404 → 1 Esfand 1404
    expect(persian('2026-03-21')).toBe('2026-03-21'); // 1 Farvardin 1405 (Nowruz)
    expect(persian('2026-03-25')).toBe('2026-03-21'); // 5 Farvardin
    expect(persian('2026-04-20')).toBe('2026-03-21'); // 31 Farvardin
    expect(persian('2026-04-21')).toBe('2026-04-21'); // 1 Ordibehesht
    expect(persian('2026-11-29')).toBe('2026-11-22'); // 8 Azar 1405 → 1 Azar
    expect(persian('2025-03-20')).toBe('2025-02-19'); // 30 Esfand 1403 (a leap year's last day)
  });

  it('other shops count Gregorian months', () => {
    expect(calendarOf('en')).toBe('gregory');
    expect(calendarOf('ru')).toBe('gregory');
    expect(monthStart('2026-03-25', 'gregory')).toBe('2026-03-01');
    expect(monthStart('2024-02-29', 'gregory')).toBe('2024-02-01');
  });

  it("today is the calendar day in the shop's zone", () => {
    const late = new Date('2026-03-09T21:30:00Z'); // 01:00 on the 10th in Tehran
    expect(localDay(late, 'Asia/Tehran')).toBe('2026-03-10');
    expect(localDay(late, 'UTC')).toBe('2026-03-09');
    expect(localDay(new Date('2026-03-10T03:00:00Z'), 'America/New_York')).toBe('2026-03-09');
  });

  it('the time_zone key: Asia/Tehran unless set; only names shaped like IANA zones pass the schema', () => {
    expect(CONFIGURATION_KEYS.time_zone.default).toBe('Asia/Tehran');
    expect(shopTimeZone(undefined)).toBe(DEFAULT_TIME_ZONE);
    expect(shopTimeZone('UTC')).toBe('UTC');
    const schema = CONFIGURATION_KEYS.time_zone.schema;
    for (const ok of ['UTC', 'Asia/Tehran', 'America/Argentina/Buenos_Aires', 'Etc/GMT-3'])
      expect(validateSchema(schema, ok)).toEqual([]);
    for (const bad of ['', '+03:30', 'Asia/Tehran; DROP TABLE', '../etc/passwd', 3])
      expect(validateSchema(schema, bad)).not.toEqual([]);
    expect(isIntlTimeZone('Asia/Tehran')).toBe(true);
    expect(isIntlTimeZone('Mars/Olympus')).toBe(false);
  });
});
