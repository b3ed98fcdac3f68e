import { checkIdNumber, idCheckCharacter } from '#codes';
import type { SscApplyRequest } from '#contracts';
import { handlingRegionField, handlingRegionOf, routeCase } from './route-case.js';

const today = new Date('2026-11-23T10:00:00+08:00');

/** A card application; only the fields routing may look at vary. */
function cardApplication(idNumber: string, issuingRegion: string): SscApplyRequest {
  return {
    service: 'ssc.apply',
    kind: 'reissue-after-loss',
    applicant: { idNumber, name: '测试', phone: '13800138000' },
    issuingRegion,
    deliveryAddress: { region: '510104', line: '测试地址 1 号' },
    photoRef: 'PHOTO-0001',
    materials: [],
  };
}

const withCheck = (first17: string): string => `${first17}${idCheckCharacter(first17)}`;

describe('handlingRegionOf', () => {
  it('takes the card-issuing region of a card application', () => {
    expect(handlingRegionOf(cardApplication(withCheck('51010419850101123'), '500103'))).toBe('500103');
    expect(handlingRegionField('ssc.apply')).toBe('issuingRegion');
  });
});

describe('routeCase', () => {
  it('routes a Chengdu issuing region to the Sichuan card centre', () => {
    expect(routeCase({ service: 'ssc.apply', handlingRegion: '510104' })).toEqual({
      node: 'SC',
      agency: 'SC.card',
      region: '510104',
      regionHistoric: false,
    });
  });

  it('routes a Chongqing issuing region to the Chongqing card centre', () => {
    expect(routeCase({ service: 'ssc.apply', handlingRegion: '500103' })).toEqual({
      node: 'CQ',
      agency: 'CQ.card',
      region: '500103',
      regionHistoric: false,
    });
  });

  it('routes a Chongqing-insured person whose ID has a pre-1997 Sichuan prefix (5102xx) to Chongqing', () => {
    const idNumber = withCheck('51021219680505123'); // first registered in 沙坪坝区 while Chongqing was part of Sichuan
    const checked = checkIdNumber(idNumber, { today });
    expect(checked).toMatchObject({ ok: true, registrationRegion: '510212' });

    const application = cardApplication(idNumber, '500103'); // insured in 渝中区 today
    const route = routeCase({ service: application.service, handlingRegion: handlingRegionOf(application) });

    expect(route).toEqual({ node: 'CQ', agency: 'CQ.card', region: '500103', regionHistoric: false });
  });

  it('routes a Chengdu-insured person whose ID has a Chongqing prefix to Sichuan', () => {
    const application = cardApplication(withCheck('50010619900101123'), '510104');
    const route = routeCase({ service: application.service, handlingRegion: handlingRegionOf(application) });
    expect(route).toMatchObject({ node: 'SC', agency: 'SC.card', region: '510104' });
  });

  it('routes a historic pre-1997 Chongqing code to Chongqing, by its successor, and marks it historic', () => {
    expect(routeCase({ service: 'ssc.apply', handlingRegion: '510202' })).toEqual({
      node: 'CQ',
      agency: 'CQ.card',
      region: '500103',
      regionHistoric: true,
    });
    expect(routeCase({ service: 'ssc.apply', handlingRegion: '512222' })).toEqual({
      node: 'CQ',
      agency: 'CQ.card',
      region: '500154',
      regionHistoric: true,
    });
  });

  it('routes an abolished Sichuan county code (510124 郫县) to Sichuan by its successor 郫都区', () => {
    expect(routeCase({ service: 'ssc.apply', handlingRegion: '510124' })).toEqual({
      node: 'SC',
      agency: 'SC.card',
      region: '510117',
      regionHistoric: true,
    });
  });

  it('refuses a Beijing region with REGION_NOT_SERVED, naming issuingRegion', () => {
    expect(() => routeCase({ service: 'ssc.apply', handlingRegion: '110101' })).toThrow(
      expect.objectContaining({
        code: 'REGION_NOT_SERVED',
        status: 422,
        fields: [expect.objectContaining({ field: 'issuingRegion', code: 'REGION_NOT_SERVED' })],
      }),
    );
  });

  it('refuses an unknown or malformed code with REGION_UNKNOWN, naming issuingRegion', () => {
    for (const handlingRegion of ['519999', '5101', '', 'abcdef']) {
      expect(() => routeCase({ service: 'ssc.apply', handlingRegion })).toThrow(
        expect.objectContaining({
          code: 'REGION_UNKNOWN',
          fields: [expect.objectContaining({ field: 'issuingRegion', code: 'REGION_UNKNOWN' })],
        }),
      );
    }
  });
});
