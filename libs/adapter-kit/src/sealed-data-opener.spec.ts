import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ManualClock } from '#core';
import { linkProof } from '#delivery';
import { AgencyKeyStore, GM_SUITE, importSealingKey, sealFor } from '#signing';
import { splitPersonal, type AgencyDelivery, type ForwardedRequest, type SscApplyRequest } from '#contracts';
import { cardRequest } from '../../contracts/src/canonical.fixtures.js';
import type { AgencyClient } from './agency-client.js';
import { handleDelivery, type DeliveryContext } from './delivery-handler.js';
import { HandOverJournal } from './hand-over-journal.js';
import { SealedDataOpener } from './sealed-data-opener.js';

const NOW_MS = Date.UTC(2026, 10, 22, 17, 30);
const LINK = { secret: 'sealed-data-opener-spec-link-secret-0123', suite: GM_SUITE };
let journals = 0;
const CASE = 'CQ-20261123-7K3F9ZQ2M8';
const MESSAGE_ID = '019a0000-0000-7000-8000-000000000001';
// The fixture's ID number, with the check character GB 11643 gives it.
const request: SscApplyRequest = { ...cardRequest, applicant: { ...cardRequest.applicant, idNumber: '11010519491231002X' } };

function deliveryOf(sealed: string): AgencyDelivery {
  const { open } = splitPersonal(request);
  const forwarded = { caseId: CASE, service: 'ssc.apply', request: open, sealed: { 'SC.card': sealed } } as unknown as ForwardedRequest;
  return { messageId: MESSAGE_ID, agency: 'SC.card', messageType: 'ssc.apply.request', contractVersion: 2, caseId: CASE, forwarded, proof: linkProof(LINK.secret, MESSAGE_ID, GM_SUITE) };
}

describe('SealedDataOpener under the gm suite', () => {
  let root: string;
  /** What one delivery needs: the agency's client, the link key, the opener, a journal of its own. */
  const contextOf = (clients: ReadonlyMap<string, AgencyClient>): DeliveryContext => ({
    clients,
    link: LINK,
    opener,
    journal: HandOverJournal.open(join(root, `hand-overs-${(journals += 1)}.journal`)),
    lookUp: 'in-doubt',
  });
  let opener: SealedDataOpener;
  let sealed: string;
  const submitted: string[] = [];
  const client = {
    agency: 'SC.card',
    submit: async (forwarded: ForwardedRequest) => {
      submitted.push(forwarded.caseId);
      return { agencyRef: 'REF', duplicate: false };
    },
  } as unknown as AgencyClient;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    root = await mkdtemp(join(tmpdir(), 'cytb-opener-gm-'));
    const clock = new ManualClock(NOW_MS);
    opener = await SealedDataOpener.open(root, ['SC.card'], clock, 'gm');
    // The federation publishes the SM2 key the gm store made; the gateway seals for it.
    const published = (await AgencyKeyStore.open(join(root, 'SC.card'), 'SC.card', clock, { suite: 'gm' })).current().publicJwk;
    expect(published).toMatchObject({ kty: 'EC', crv: 'SM2' });
    const sealing = await importSealingKey(published);
    sealed = await sealFor(sealing.key, splitPersonal(request).personal, { kid: sealing.kid });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('opens the copy sealed for the agency’s SM2 key and hands the whole request to the agency', async () => {
    const whole = await opener.open(deliveryOf(sealed));
    expect((whole.forwarded?.request as SscApplyRequest).applicant).toEqual(request.applicant);
    await expect(handleDelivery(deliveryOf(sealed), contextOf(new Map([['SC.card', client]])))).resolves.toMatchObject({ agencyRef: 'REF' });
    expect(submitted).toEqual([CASE]);
  });

  it('refuses a copy whose MAC fails with SEALED_DATA_INVALID, and nothing reaches the agency', async () => {
    submitted.length = 0;
    const parts = sealed.split('.');
    parts[4] = `${parts[4][0] === 'A' ? 'B' : 'A'}${parts[4].slice(1)}`;
    await expect(opener.open(deliveryOf(parts.join('.')))).rejects.toMatchObject({ code: 'SEALED_DATA_INVALID' });
    const refused = await handleDelivery(deliveryOf(parts.join('.')), contextOf(new Map([['SC.card', client]]))).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RpcException);
    expect((refused as RpcException).getError()).toMatchObject({ code: 'SEALED_DATA_INVALID', permanent: true });
    expect(submitted).toEqual([]);
  });

  it('refuses a delivery whose link proof is the intl HMAC when the adapter is on gm (AGENCY_LINK_UNAUTHENTICATED)', async () => {
    const intlProof = { ...deliveryOf(sealed), proof: linkProof(LINK.secret, MESSAGE_ID, { hash: 'sha256' }) };
    const refused = await handleDelivery(intlProof, contextOf(new Map([['SC.card', client]]))).catch((e: unknown) => e);
    expect((refused as RpcException).getError()).toMatchObject({ code: 'AGENCY_LINK_UNAUTHENTICATED' });
  });
});
