import type { DeathBenefitRequest, PensionTransferRequest } from './canonical.js';
import { cardRequest } from './canonical.fixtures.js';
import { mergePersonal, splitPersonal } from './personal-data.js';

const card = cardRequest;

describe('personal data split for sealing', () => {
  it('leaves no personal field in the open part of a card application and merges back to the original', () => {
    const { open, personal } = splitPersonal(card);
    expect(JSON.stringify(open)).not.toMatch(/110105194912310029|王五|13900001111|春熙路|610021/);
    expect(open).toMatchObject({ service: 'ssc.apply', kind: 'new', issuingRegion: '510104', deliveryAddress: { region: '510104' } });
    expect(personal).toEqual({ applicant: card.applicant, deliveryAddress: { line: '春熙路 1 号', postcode: '610021' } });
    expect(mergePersonal(open, personal)).toEqual(card);
  });

  it('takes every person of a death benefit claim and the bank account', () => {
    const claim: DeathBenefitRequest = {
      service: 'pension.death-benefit',
      deceased: { idNumber: '110105194912310029', name: '李四' },
      dateOfDeath: '2026-11-01',
      deathProof: { type: 'death-certificate', ref: 'SWZM-0001' },
      claimant: { idNumber: '11010519491231002X', name: '李小四', phone: '13900002222', role: 'legal-heir', relation: 'child' },
      insuredRegion: '510104',
      payeeAccount: { bankName: '中国工商银行', accountNumber: '6222020200112233445' },
      materials: [],
    };
    const { open, personal } = splitPersonal(claim);
    expect(Object.keys(open).sort()).toEqual(['dateOfDeath', 'deathProof', 'insuredRegion', 'materials', 'service']);
    expect(mergePersonal(open, personal)).toEqual(claim);
  });

  it('takes the person number out of every transfer-out place and keeps the places in order', () => {
    const transfer: PensionTransferRequest = {
      service: 'pension.transfer',
      applicant: card.applicant,
      insuranceType: 'enterprise-employee',
      transferInRegion: '500112',
      transferOut: [
        { region: '510104', agencyName: '成都市社保局', personNumber: 'P000111' },
        { region: '510703', agencyName: '绵阳市社保局', personNumber: 'P000222', temporaryAccount: true },
      ],
      contributionCertificateRef: 'PZ-0001',
      materials: [],
    };
    const { open, personal } = splitPersonal(transfer);
    expect(open['transferOut']).toEqual([
      { region: '510104', agencyName: '成都市社保局' },
      { region: '510703', agencyName: '绵阳市社保局', temporaryAccount: true },
    ]);
    expect(personal['transferOut']).toEqual([{ personNumber: 'P000111' }, { personNumber: 'P000222' }]);
    expect(mergePersonal(open, personal)).toEqual(transfer);
  });
});

describe('what gateways read of a sealed request', () => {
  it("names every service's kind from the open part alone", async () => {
    const { SERVICE_CATALOGUE } = await import('./service-catalogue.js');
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = join(process.cwd(), 'contracts', 'examples');
    const folders: Record<string, string> = {
      'ssc.apply': 'ssc-apply.v1',
      'ssc.loss': 'ssc-loss.v1',
      'medical.filing': 'medical-filing.v1',
      'pension.qualification': 'pension-qualification.v1',
      'pension.death-benefit': 'death-benefit.v1',
      'pension.transfer': 'pension-transfer.v1',
    };
    for (const [code, folder] of Object.entries(folders)) {
      const file = readdirSync(join(dir, folder)).find((f) => f.startsWith('valid-'))!;
      const request = (JSON.parse(readFileSync(join(dir, folder, file), 'utf8')) as { body: never }).body;
      const definition = SERVICE_CATALOGUE[code as keyof typeof SERVICE_CATALOGUE] as { kindOf: (r: unknown) => string | null; handlingRegion: (r: unknown) => string };
      const { open } = splitPersonal(request);
      expect({ code, kind: definition.kindOf(open) }).toEqual({ code, kind: definition.kindOf(request) });
      expect(definition.handlingRegion(open)).toBe(definition.handlingRegion(request));
    }
  });
});
