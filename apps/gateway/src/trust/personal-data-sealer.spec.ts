import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { AgencyKeyStore, GM_SUITE, INTL_SUITE, importSealingKey, openSealed, type Federation, type SealingKey } from '#signing';
import type { FederationHolder } from './federation-holder.js';
import { PersonalDataSealer } from './personal-data-sealer.js';
import { cardRequest } from '../../../../libs/contracts/src/canonical.fixtures.js';

const NOW_MS = Date.UTC(2026, 10, 22, 17, 30);
const request = cardRequest;

const kidOf = (jwe: string): unknown => (JSON.parse(Buffer.from(jwe.split('.')[0], 'base64url').toString('utf8')) as { kid?: unknown }).kid;

describe('PersonalDataSealer', () => {
  let root: string;
  const stores = new Map<string, AgencyKeyStore>();
  let before: ReadonlyMap<string, SealingKey>;
  let after: ReadonlyMap<string, SealingKey>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cytb-sealer-'));
    const clock = new ManualClock(NOW_MS);
    const federation = async (generation: string): Promise<Map<string, SealingKey>> => {
      const keys = new Map<string, SealingKey>();
      for (const agency of ['SC.card', 'CQ.card']) {
        const store = await AgencyKeyStore.open(join(root, `${generation}-${agency}`), agency, clock);
        stores.set(store.current().kid, store);
        keys.set(agency, await importSealingKey(store.current().publicJwk));
      }
      return keys;
    };
    before = await federation('before');
    after = await federation('after');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('seals every agency’s copy of one request with the keys of one federation, even when it is reloaded meanwhile', async () => {
    const sealer = new PersonalDataSealer({} as FederationHolder, { cryptoSuite: INTL_SUITE });
    sealer.use(before);
    const pending = sealer.seal(request, ['SC.card', 'CQ.card']);
    // The operator's reload lands after the first copy is sealed, before the second.
    sealer.use(after);
    const { open, sealed } = await pending;

    expect(kidOf(sealed['SC.card'])).toBe(before.get('SC.card')?.kid);
    expect(kidOf(sealed['CQ.card'])).toBe(before.get('CQ.card')?.kid);
    const cq = stores.get(String(kidOf(sealed['CQ.card'])));
    await expect(openSealed(sealed['CQ.card'], cq ?? { decryptionKey: () => undefined })).resolves.toMatchObject({ applicant: request.applicant });
    expect(JSON.stringify(open)).not.toContain(request.applicant.idNumber);

    // The next request uses the reloaded keys.
    const next = await sealer.seal(request, ['CQ.card']);
    expect(kidOf(next.sealed['CQ.card'])).toBe(after.get('CQ.card')?.kid);
  });

  it('refuses an agency the federation lists no key for with ROUTE_UNKNOWN', async () => {
    const sealer = new PersonalDataSealer({} as FederationHolder, { cryptoSuite: INTL_SUITE });
    sealer.use(before);
    await expect(sealer.seal(request, ['SC.pension'])).rejects.toMatchObject({ code: 'ROUTE_UNKNOWN' });
  });

  it('seals with SM2-ECDH-ES and SM4-CTR-HS3 for an agency the federation lists with an SM2 key, which its gm key store opens', async () => {
    const store = await AgencyKeyStore.open(join(root, 'gm-SC.card'), 'SC.card', new ManualClock(NOW_MS), { suite: 'gm' });
    const federation = { nodes: [{ node: 'SC', agencies: [{ code: 'SC.card', encryptionKeys: store.publicJwks().keys }] }] } as unknown as Federation;
    const sealer = new PersonalDataSealer({} as FederationHolder, { cryptoSuite: INTL_SUITE });
    sealer.use(await PersonalDataSealer.importKeys(federation, GM_SUITE));
    const { sealed } = await sealer.seal(request, ['SC.card']);
    expect(JSON.parse(Buffer.from(sealed['SC.card'].split('.')[0], 'base64url').toString('utf8'))).toMatchObject({ alg: 'SM2-ECDH-ES', enc: 'SM4-CTR-HS3', kid: store.current().kid });
    await expect(openSealed(sealed['SC.card'], store, { suite: GM_SUITE })).resolves.toMatchObject({ applicant: request.applicant });
  });

  it('seals, for an agency that lists keys of both suites (a suite move), with its key in this node’s sealing suite (CRYPTO_SUITE), whatever the order', async () => {
    const gm = await AgencyKeyStore.open(join(root, 'both-gm-SC.card'), 'SC.card', new ManualClock(NOW_MS), { suite: 'gm' });
    const intl = await AgencyKeyStore.open(join(root, 'both-intl-SC.card'), 'SC.card', new ManualClock(NOW_MS));
    const federation = { nodes: [{ node: 'SC', agencies: [{ code: 'SC.card', encryptionKeys: [...gm.publicJwks().keys, ...intl.publicJwks().keys] }] }] } as unknown as Federation;
    // The adapter opens with the keys of its own CRYPTO_SUITE: an intl node must not seal for the SM2 key listed first.
    expect((await PersonalDataSealer.importKeys(federation, INTL_SUITE)).get('SC.card')?.kid).toBe(intl.current().kid);
    expect((await PersonalDataSealer.importKeys(federation, GM_SUITE)).get('SC.card')?.kid).toBe(gm.current().kid);
    // An agency that lists no key of this node's suite is sealed for as the federation lists it (first key).
    const gmOnly = { nodes: [{ node: 'SC', agencies: [{ code: 'SC.card', encryptionKeys: gm.publicJwks().keys }] }] } as unknown as Federation;
    expect((await PersonalDataSealer.importKeys(gmOnly, INTL_SUITE)).get('SC.card')?.kid).toBe(gm.current().kid);
  });
});
