import { GatewayError, type NodeCode } from '#core';
import { lookupDivision, CHONGQING, SICHUAN } from '#codes';
import type { AgencyCode, CaseRoute, ServiceCode, ServiceRequest } from '#contracts';

/** The agency of a province that handles each service. */
const AGENCY_FUNCTION: Record<ServiceCode, string> = {
  'ssc.apply': 'card',
};

/** The field whose region decides the handling side, per service (named in refusals). */
const ROUTING_FIELD: Record<ServiceCode, string> = {
  'ssc.apply': 'issuingRegion',
};

/**
 * The region that decides who handles a case: for a card, the card-issuing (insured) region.
 * Decided by the case's data, never by the ID number: the ID's first six digits are the place
 * of first registration (a Chongqing person registered before 1997 has a 51 prefix).
 *
 * @example handlingRegionOf({ service: 'ssc.apply', issuingRegion: '500106', ... }) // '500106'
 */
export function handlingRegionOf(request: ServiceRequest): string {
  switch (request.service) {
    case 'ssc.apply':
      return request.issuingRegion;
  }
}

/**
 * Routes a case to its handling node and agency.
 *
 * @example routeCase({ service: 'ssc.apply', handlingRegion: '510202' })
 *   // { node: 'CQ', agency: 'CQ.card', region: '500103', regionHistoric: true }
 */
export function routeCase(input: { service: ServiceCode; handlingRegion: string }): CaseRoute {
  const field = ROUTING_FIELD[input.service];
  const division = lookupDivision(input.handlingRegion);
  if (!division) {
    throw GatewayError.field('REGION_UNKNOWN', field, '行政区划代码未知 (not a known GB/T 2260 division code)');
  }
  const node = nodeOfProvince(division.provinceCode);
  if (!node) {
    throw GatewayError.field('REGION_NOT_SERVED', field, '办理地不在四川或重庆 (the handling region is outside Sichuan and Chongqing)');
  }
  return {
    node,
    agency: `${node}.${AGENCY_FUNCTION[input.service]}` as AgencyCode,
    region: division.successor ?? division.code,
    regionHistoric: division.historic,
  };
}

function nodeOfProvince(provinceCode: string): NodeCode | undefined {
  if (provinceCode === SICHUAN) return 'SC';
  if (provinceCode === CHONGQING) return 'CQ';
  return undefined;
}
