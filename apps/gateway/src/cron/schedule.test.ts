import { describe, expect, it } from 'vitest';
import { nextRunAfter, parseSchedule, ScheduleError } from './schedule.js';

const now = new Date('2026-11-25T10:00:00.000Z');

describe('parseSchedule (spec 5.5 syntax)', () => {
  it('reads delays, intervals, cron expressions and ISO times', () => {
    expect(parseSchedule('30m', now)).toEqual({
      kind: 'once',
      run_at: '2026-11-25T10:30:00.000Z',
      display: 'once in 30m',
    });
    expect(parseSchedule('every 2h', now)).toEqual({ kind: 'interval', minutes: 120, display: 'every 2h' });
    expect(parseSchedule('0 9 * * 1-5', now)).toEqual({
      kind: 'cron',
      expr: '0 9 * * 1-5',
      display: '0 9 * * 1-5',
    });
    expect(parseSchedule('2026-12-01T08:00:00Z', now)).toMatchObject({
      kind: 'once',
      run_at: '2026-12-01T08:00:00.000Z',
    });
  });

  it('explains what it accepts when it cannot read a schedule', () => {
    expect(() => parseSchedule('tomorrow-ish', now)).toThrow(ScheduleError);
    expect(() => parseSchedule('tomorrow-ish', now)).toThrow(/every 2h/);
    expect(() => parseSchedule('every fortnight', now)).toThrow(/every 30m/);
    expect(() => parseSchedule('99 * * * *', now)).toThrow(/not a valid cron expression/);
  });
});

describe('nextRunAfter', () => {
  it('fires a one-shot once, skips missed interval slots, follows cron', () => {
    const once = parseSchedule('30m', now);
    expect(nextRunAfter(once, now)?.toISOString()).toBe('2026-11-25T10:30:00.000Z');
    expect(nextRunAfter(once, now, new Date('2026-11-25T10:30:00Z'))).toBeUndefined();
    const every = parseSchedule('every 1h', now);
    const late = new Date('2026-11-25T15:20:00Z');
    expect(nextRunAfter(every, late, new Date('2026-11-25T10:00:00Z'))?.toISOString()).toBe(
      '2026-11-25T16:00:00.000Z',
    );
    const cron = parseSchedule('15 * * * *', now);
    expect(nextRunAfter(cron, now)?.getUTCMinutes()).toBe(15);
  });
});
