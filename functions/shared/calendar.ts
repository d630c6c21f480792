import type { Config, RepConfig } from './config.ts';

export type LocalClock = { date: string; isoWeekday: number; minutes: number };

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

// Building an Intl.DateTimeFormat costs ~100 µs, using one ~5 µs: one per zone, kept for the process.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local date, ISO weekday and minute of the day at `now` in a time zone. */
export function localClock(now: Date, timeZone: string): LocalClock {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    isoWeekday: WEEKDAYS.indexOf(parts.weekday ?? 'Mon') + 1,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** The region's weekend from CLDR (SA, EG: Fri–Sat; IR: Fri; AE: Sat–Sun), 1 = Monday … 7 = Sunday. */
const weekends = new Map<string, number[]>();

export function weekendOf(region: string | undefined): number[] {
  if (region === undefined) return [6, 7];
  const known = weekends.get(region);
  if (known) return known;
  const weekend = readWeekend(region);
  weekends.set(region, weekend);
  return weekend;
}

function readWeekend(region: string): number[] {
  const locale = new Intl.Locale(`und-${region}`) as Intl.Locale & {
    getWeekInfo?: () => { weekend: number[] };
    weekInfo?: { weekend: number[] };
  };
  // Node 20 has the `weekInfo` getter; newer runtimes have `getWeekInfo()`.
  return locale.getWeekInfo?.().weekend ?? locale.weekInfo?.weekend ?? [6, 7];
}

export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

type Schedule = Pick<RepConfig, 'workingHours' | 'timezone' | 'region'>;

function workingDays(rep: Schedule): number[] {
  return rep.workingHours?.days ?? [1, 2, 3, 4, 5, 6, 7].filter((d) => !weekendOf(rep.region).includes(d));
}

/** True when `now` falls in the rep's working hours: a working day, not a holiday, between start and end. */
export function withinWorkingHours(
  rep: Schedule,
  now: Date,
  holidays: Config['calendar']['holidays'],
): boolean {
  const hours = rep.workingHours;
  if (hours === undefined) return true;
  const clock = localClock(now, rep.timezone);
  if (!workingDays(rep).includes(clock.isoWeekday)) return false;
  if (rep.region && holidays[rep.region]?.includes(clock.date)) return false;
  const start = toMinutes(hours.start);
  const end = toMinutes(hours.end);
  // A shift may run past midnight (22:00–06:00).
  return start <= end
    ? clock.minutes >= start && clock.minutes < end
    : clock.minutes >= start || clock.minutes < end;
}

/** The UTC instant of a local wall-clock time (DST-safe: the zone's offset is read at the instant itself). */
function localToUtc(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, 0, minutes);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const clock = localClock(new Date(guess), timeZone);
    const [cy, cm, cd] = clock.date.split('-').map(Number);
    const seen = Date.UTC(cy ?? 1970, (cm ?? 1) - 1, cd ?? 1, 0, clock.minutes);
    guess += wall - seen;
  }
  return guess;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Minutes between two instants that fall in the rep's working hours (their zone, regional weekend, holidays):
 * the response time a rep can fairly be held to. Without working hours, it is the wall-clock time.
 */
export function businessMinutesBetween(
  from: Date,
  to: Date,
  rep: Schedule,
  holidays: Config['calendar']['holidays'],
): number {
  if (to <= from) return 0;
  const hours = rep.workingHours;
  if (hours === undefined) return (to.getTime() - from.getTime()) / 60_000;
  const days = workingDays(rep);
  const start = toMinutes(hours.start);
  const end = toMinutes(hours.end);
  let total = 0;
  const last = localClock(to, rep.timezone).date;
  // One day before the start covers a night shift that began the evening before.
  for (
    let date = addDays(localClock(from, rep.timezone).date, -1), n = 0;
    date <= last && n < 400;
    date = addDays(date, 1), n++
  ) {
    const weekday = ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
    if (!days.includes(weekday) || (rep.region && holidays[rep.region]?.includes(date))) continue;
    const windowStart = localToUtc(date, start, rep.timezone);
    const windowEnd =
      start <= end ? localToUtc(date, end, rep.timezone) : localToUtc(addDays(date, 1), end, rep.timezone);
    const overlap = Math.min(windowEnd, to.getTime()) - Math.max(windowStart, from.getTime());
    if (overlap > 0) total += overlap;
  }
  return total / 60_000;
}

/**
 * The instant `minutes` of the rep's working time after `from`: a deadline that does not run at night, at
 * the weekend or on a holiday. Without working hours it is wall-clock time.
 */
export function addBusinessMinutes(
  from: Date,
  minutes: number,
  rep: Schedule,
  holidays: Config['calendar']['holidays'],
): Date {
  const hours = rep.workingHours;
  if (hours === undefined || minutes <= 0) return new Date(from.getTime() + minutes * 60_000);
  const days = workingDays(rep);
  const start = toMinutes(hours.start);
  const end = toMinutes(hours.end);
  let left = minutes * 60_000;
  // A year of days without a working minute (every day a holiday) is a configuration mistake: fall back to wall time.
  for (
    let date = addDays(localClock(from, rep.timezone).date, -1), n = 0;
    n < 400;
    date = addDays(date, 1), n++
  ) {
    const weekday = ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
    if (!days.includes(weekday) || (rep.region && holidays[rep.region]?.includes(date))) continue;
    const windowStart = Math.max(localToUtc(date, start, rep.timezone), from.getTime());
    const windowEnd =
      start <= end ? localToUtc(date, end, rep.timezone) : localToUtc(addDays(date, 1), end, rep.timezone);
    const available = windowEnd - windowStart;
    if (available <= 0) continue;
    if (available >= left) return new Date(windowStart + left);
    left -= available;
  }
  return new Date(from.getTime() + minutes * 60_000);
}
