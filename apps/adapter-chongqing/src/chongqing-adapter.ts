import { createAdapterApp, type AdapterOptions } from '#adapter-kit';
import { ChongqingCardServiceClient } from './chongqing-card-service.client.js';

/** The Chongqing agency adapter: canonical contract ⇄ Chongqing card service. */
export async function createChongqingAdapter(options: AdapterOptions & { agencyBaseUrl: string }) {
  return createAdapterApp(new ChongqingCardServiceClient(options.agencyBaseUrl), options);
}
