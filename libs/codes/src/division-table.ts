import { GatewayError } from '#core';

/**
 * A GB/T 2260 administrative division, current or historic.
 *
 * Levels follow the code's shape (GB/T 2260 §4): `xx0000` province, `xxxx00` prefecture, other
 * codes county. Prefecture-level cities without counties (东莞 441900) are prefectures.
 */
export interface Division {
  readonly code: string;
  readonly name: string;
  readonly level: 'province' | 'prefecture' | 'county';
  /** Two digits of the province the place belongs to NOW: for a historic code, its successor's. */
  readonly provinceCode: string;
  /** True for an abolished code, kept because it is still on valid ID numbers and old records. */
  readonly historic: boolean;
  /** For a historic code: the current code that now covers the place. */
  readonly successor?: string;
  /** For a historic code: the first year without it, when known. */
  readonly abolished?: number;
}

/** One current division as the source lists it. */
export interface CurrentDivisionEntry {
  readonly code: string;
  readonly name: string;
}

/** One abolished code, as kept in libs/codes/data/historic-divisions.json. */
export interface HistoricDivisionEntry {
  readonly code: string;
  readonly name: string;
  readonly abolished: number | null;
  /** A current code, or another historic code that leads to one. */
  readonly successor: string;
  readonly note?: string;
}

const SIX_DIGITS = /^\d{6}$/;

/**
 * The level of a division by the shape of its code.
 *
 * @example levelOfCode('510000') // 'province'
 * @example levelOfCode('510100') // 'prefecture'
 * @example levelOfCode('510104') // 'county'
 */
export function levelOfCode(code: string): Division['level'] {
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'prefecture';
  return 'county';
}

/**
 * Builds the lookup table from current codes and historic ones. Refuses (CONFIG_INVALID) data
 * that would route wrongly: a historic code that is also current, or a successor that leads to
 * no current code. Failing at start beats a silently unknown region at a window.
 *
 * @example
 *   const table = buildDivisionTable([{ code: '510117', name: '郫都区' }],
 *     [{ code: '510124', name: '郫县', abolished: 2016, successor: '510117' }]);
 *   table.get('510124') // { historic: true, successor: '510117', provinceCode: '51', ... }
 */
export function buildDivisionTable(
  current: Iterable<CurrentDivisionEntry>,
  historic: readonly HistoricDivisionEntry[],
): ReadonlyMap<string, Division> {
  const table = new Map<string, Division>();
  for (const entry of current) {
    if (!SIX_DIGITS.test(entry.code)) throw invalid(`current code ${entry.code} is not six digits`);
    table.set(entry.code, currentDivision(entry));
  }
  const byCode = new Map(historic.map((entry) => [entry.code, entry]));
  for (const entry of historic) {
    if (!SIX_DIGITS.test(entry.code)) throw invalid(`historic code ${entry.code} is not six digits`);
    if (table.has(entry.code)) throw invalid(`historic code ${entry.code} is also a current code`);
    const successor = currentSuccessor(entry, byCode, table);
    table.set(entry.code, historicDivision(entry, successor));
  }
  return table;
}

function currentDivision(entry: CurrentDivisionEntry): Division {
  return {
    code: entry.code,
    name: entry.name,
    level: levelOfCode(entry.code),
    provinceCode: entry.code.slice(0, 2),
    historic: false,
  };
}

function historicDivision(entry: HistoricDivisionEntry, successor: Division): Division {
  return {
    code: entry.code,
    name: entry.name,
    level: levelOfCode(entry.code),
    // Why the successor's province: a pre-1997 Chongqing code (5102xx) is in Chongqing (50) now.
    provinceCode: successor.provinceCode,
    historic: true,
    successor: successor.code,
    ...(entry.abolished === null ? {} : { abolished: entry.abolished }),
  };
}

/**
 * Follows successors through other historic entries (a code abolished twice) to a current code,
 * so that the data file can name either.
 */
function currentSuccessor(
  entry: HistoricDivisionEntry,
  historicByCode: ReadonlyMap<string, HistoricDivisionEntry>,
  table: ReadonlyMap<string, Division>,
): Division {
  const seen = new Set<string>([entry.code]);
  let next = entry.successor;
  for (;;) {
    const found = table.get(next);
    if (found && !found.historic) return found;
    const hop = historicByCode.get(next);
    if (!hop || seen.has(next)) throw invalid(`historic code ${entry.code} leads to no current code`);
    seen.add(next);
    next = hop.successor;
  }
}

function invalid(detail: string): GatewayError {
  return new GatewayError('CONFIG_INVALID', { detail: `GB/T 2260 data: ${detail}` });
}
