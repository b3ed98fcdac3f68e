import { parseInstant, toShanghaiIso } from './time.js';

describe('time', () => {
  it('writes instants in China Standard Time', () => {
    expect(toShanghaiIso(Date.UTC(2026, 10, 22, 17, 30))).toBe('2026-11-23T01:30:00.000+08:00');
  });

  it('parses only instants that carry an offset', () => {
    expect(parseInstant('2026-11-23T01:30:00.000+08:00')).toBe(Date.UTC(2026, 10, 22, 17, 30));
    expect(parseInstant('2026-11-23T01:30:00')).toBeNaN();
  });
});
