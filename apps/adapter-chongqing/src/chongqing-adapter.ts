import { createAdapterApp, type AdapterHandle, type AdapterOptions } from '#adapter-kit';
import { ChongqingCardServiceClient } from './chongqing-card-service.client.js';
import { ChongqingMedicalInsuranceClient } from './chongqing-medical-insurance.client.js';
import { ChongqingPensionOfficeClient } from './chongqing-pension-office.client.js';

/** The Chongqing agency adapter: canonical contract ⇄ Chongqing's card service, medical insurance and pension office. */
export async function createChongqingAdapter(options: AdapterOptions & { agencyBaseUrl: string }): Promise<AdapterHandle> {
  return createAdapterApp(
    [
      new ChongqingCardServiceClient(options.agencyBaseUrl),
      new ChongqingMedicalInsuranceClient(options.agencyBaseUrl),
      new ChongqingPensionOfficeClient(options.agencyBaseUrl),
    ],
    options,
  );
}
