import { idCheckCharacter } from '#codes';

/** A valid GB 11643 ID number from its first 17 characters. */
export function idNumber(first17: string): string {
  return `${first17}${idCheckCharacter(first17)}`;
}

let sequence = 100;

/** A different valid ID number on every call (one person per test, so no case blocks another). */
export function freshIdNumber(): string {
  sequence += 1;
  return idNumber(`51010419850312${String(sequence % 1000).padStart(3, '0')}`);
}

/** A card replacement application as a window would submit it. */
export function cardApplication(overrides: { idNumber?: string; issuingRegion?: string; kind?: string; photoRef?: string } = {}) {
  return {
    service: 'ssc.apply',
    kind: overrides.kind ?? 'replace-damaged',
    applicant: { idNumber: overrides.idNumber ?? freshIdNumber(), name: '张三', phone: '13800138000' },
    issuingRegion: overrides.issuingRegion ?? '510104',
    deliveryAddress: { region: '500111', line: '大足区龙岗街道北环中路 1 号', postcode: '402360' },
    photoRef: overrides.photoRef ?? 'PHOTO-0001',
    materials: [{ type: 'id-card-copy', sha256: 'a'.repeat(64) }],
  };
}

/**
 * A pension insurance transfer (养老保险关系转移) into `transferInRegion` from each of `places`
 * (the agency's name follows the place's province; the person number is made up unless given).
 */
export function pensionTransferApplication(o: { transferInRegion: string; places: { region: string; personNumber?: string }[]; applicantId?: string }) {
  return {
    service: 'pension.transfer',
    applicant: { idNumber: o.applicantId ?? freshIdNumber(), name: '王五', phone: '13700137000' },
    insuranceType: 'enterprise-employee',
    transferInRegion: o.transferInRegion,
    transferOut: o.places.map((p, i) => ({
      region: p.region,
      agencyName: p.region.startsWith('51') ? '成都市社会保险事业管理局' : '重庆市渝北区社会保险事务中心',
      personNumber: p.personNumber ?? `P${p.region}${String(i + 1).padStart(4, '0')}`,
    })),
    contributionCertificateRef: 'JFPZ-2026-000123',
    materials: [{ type: 'contribution-certificate', sha256: 'd'.repeat(64) }],
  };
}
