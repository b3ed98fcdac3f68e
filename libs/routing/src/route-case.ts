import { GatewayError, type NodeCode } from '#core';
import { CHONGQING, SICHUAN, lookupDivision } from '#codes';
import { SERVICE_CATALOGUE, type AgencyCode, type AgencyFunction, type CaseRoute, type ServiceCode, type ServiceRequest } from '#contracts';

/**
 * Who handles a case (DOMAIN.md, "Routing"): decided by the case's own data, never by where the
 * window is and never by the ID number. The first six digits of an ID number are the place of
 * FIRST registration and never change: a person registered in Chongqing before 1997 carries a
 * Sichuan-era prefix (5102xx, 5122xx, 5123xx) for life.
 */

/** The node serving each province (by its 2-digit GB/T 2260 province code). */
const NODE_OF_PROVINCE: ReadonlyMap<string, NodeCode> = new Map([
  [SICHUAN, 'SC'],
  [CHONGQING, 'CQ'],
]);

/**
 * The region that decides who handles a request, as the service catalogue names it: for a card,
 * the card-issuing (insured) region; for medical filing and the death benefit, the insured
 * region; for a qualification check, the paying region.
 *
 * @example handlingRegionOf({ service: 'ssc.apply', issuingRegion: '500103', ... }) // '500103'
 */
export function handlingRegionOf(request: ServiceRequest): string {
  const definition = SERVICE_CATALOGUE[request.service] as { handlingRegion: (r: ServiceRequest) => string };
  return definition.handlingRegion(request);
}

/**
 * The request field that carries the handling region of a service, e.g. `issuingRegion`.
 *
 * @example handlingRegionField('medical.filing') // 'insuredRegion'
 */
export function handlingRegionField(service: ServiceCode): string {
  return SERVICE_CATALOGUE[service].regionField;
}

/**
 * Routes a case to the node and agency that handle it. A historic GB/T 2260 code is accepted and
 * routed by its current successor; the route then names the successor and says so.
 *
 * Throws REGION_UNKNOWN for a code that is neither current nor known historic, and
 * REGION_NOT_SERVED for a region outside Sichuan and Chongqing, each naming the region field.
 *
 * @example routeCase({ service: 'ssc.apply', handlingRegion: '510104' })
 *   // { node: 'SC', agency: 'SC.card', region: '510104', regionHistoric: false }
 * @example routeCase({ service: 'ssc.apply', handlingRegion: '510202' })
 *   // { node: 'CQ', agency: 'CQ.card', region: '500103', regionHistoric: true } (pre-1997 Chongqing)
 */
export function routeCase(input: { service: ServiceCode; handlingRegion: string }): CaseRoute {
  const { agencyFunction, regionField } = SERVICE_CATALOGUE[input.service];
  return routeRegion({ region: input.handlingRegion, agencyFunction, field: regionField });
}

/**
 * Routes one region to the node and agency of a function there, e.g. a pension transfer's
 * transfer-out place to that province's pension agency. Same refusals as routeCase, naming `field`.
 *
 * @example routeRegion({ region: '500112', agencyFunction: 'pension', field: 'transferOut[0].region' })
 *   // { node: 'CQ', agency: 'CQ.pension', region: '500112', regionHistoric: false }
 */
export function routeRegion(input: { region: string; agencyFunction: AgencyFunction; field: string }): CaseRoute {
  const division = lookupDivision(input.region);
  if (division === undefined) {
    throw GatewayError.field('REGION_UNKNOWN', input.field, '行政区划代码未知 (not a current or known historic GB/T 2260 division code)');
  }
  const node = NODE_OF_PROVINCE.get(division.provinceCode);
  if (node === undefined) {
    throw GatewayError.field('REGION_NOT_SERVED', input.field, '办理地不在四川或重庆 (the handling region is outside Sichuan and Chongqing)');
  }
  const agency: AgencyCode = `${node}.${input.agencyFunction}`;
  return { node, agency, region: division.successor ?? division.code, regionHistoric: division.historic };
}
