import { msUntilOsloMidnight, osloDate, osloDateTime, osloOffsetMinutes } from '../../../emulator/time';

describe('Europe/Oslo formatting', () => {
  it('uses +01:00 in winter and +02:00 in summer, switching at 01:00 UTC', () => {
    expect(osloDateTime(Date.UTC(2021, 3, 21, 12, 32, 54, 295))).toBe('2021-04-21T14:32:54.295+02:00');
    expect(osloDateTime(Date.UTC(2018, 10, 15, 22, 0, 0, 0))).toBe('2018-11-15T23:00:00.000+01:00');
    // 2024: summer time from 31 March 01:00 UTC to 27 October 01:00 UTC.
    expect(osloOffsetMinutes(Date.UTC(2024, 2, 31, 0, 59))).toBe(60);
    expect(osloOffsetMinutes(Date.UTC(2024, 2, 31, 1, 0))).toBe(120);
    expect(osloOffsetMinutes(Date.UTC(2024, 9, 27, 0, 59))).toBe(120);
    expect(osloOffsetMinutes(Date.UTC(2024, 9, 27, 1, 0))).toBe(60);
  });

  it('gives the Oslo calendar date and the time to the next Oslo midnight', () => {
    expect(osloDate(Date.UTC(2024, 0, 1, 23, 30))).toBe('2024-01-02');
    expect(msUntilOsloMidnight(Date.UTC(2024, 0, 1, 22, 0))).toBe(3_600_000);
  });
});
