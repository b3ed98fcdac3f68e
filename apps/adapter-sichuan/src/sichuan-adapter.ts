import { createAdapterApp, type AdapterOptions } from '#adapter-kit';
import { SichuanCardCentreClient } from './sichuan-card-centre.client.js';

/** The Sichuan agency adapter: canonical contract ⇄ Sichuan card centre. */
export async function createSichuanAdapter(options: AdapterOptions & { agencyBaseUrl: string }) {
  return createAdapterApp(new SichuanCardCentreClient(options.agencyBaseUrl), options);
}
