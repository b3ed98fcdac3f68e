/**
 * An instant as ISO 8601 in China Standard Time (UTC+08:00, no daylight saving), the way both
 * provinces' windows read times.
 *
 * @example toShanghaiIso(Date.UTC(2026, 10, 22, 1, 30)) // '2026-11-22T09:30:00.000+08:00'
 */
export function toShanghaiIso(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 23)}+08:00`;
}

/** Parses an ISO 8601 instant with an offset into milliseconds; NaN when it is not one. */
export function parseInstant(value: string): number {
  return /[zZ]|[+-]\d{2}:\d{2}$/.test(value) ? Date.parse(value) : Number.NaN;
}
