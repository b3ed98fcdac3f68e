import { createAdapterApp, type AdapterHandle, type AdapterOptions } from '#adapter-kit';
import { SichuanCardCentreClient } from './sichuan-card-centre.client.js';
import { SichuanMedicalInsuranceClient } from './sichuan-medical-insurance.client.js';
import { SichuanPensionOfficeClient } from './sichuan-pension-office.client.js';

/** The Sichuan agency adapter: canonical contract ⇄ Sichuan's card centre, medical insurance and pension office. */
export async function createSichuanAdapter(options: AdapterOptions & { agencyBaseUrl: string }): Promise<AdapterHandle> {
  return createAdapterApp(
    [
      new SichuanCardCentreClient(options.agencyBaseUrl),
      new SichuanMedicalInsuranceClient(options.agencyBaseUrl),
      new SichuanPensionOfficeClient(options.agencyBaseUrl),
    ],
    options,
  );
}
