import { checkIdNumber, idCheckCharacter } from '#codes';
import { handlingRegionOf, routeCase } from './route-case.js';

describe('routeCase', () => {
  it('routes a Chengdu card-issuing region to the Sichuan card centre', () => {
    expect(routeCase({ service: 'ssc.apply', handlingRegion: '510104' })).toEqual({
      node: 'SC',
      agency: 'SC.card',
      region: '510104',
      regionHistoric: false,
    });
  });

  it('routes by the issuing region, not the ID prefix: a pre-1997 Chongqing person with a 51 ID goes to Chongqing', () => {
    const id = `51021219680505123${idCheckCharacter('51021219680505123')}`;
    const checked = checkIdNumber(id, { today: new Date('2026-11-23') });
    expect(checked.ok && checked.registrationRegion).toBe('510212'); // registered in Sichuan-era Chongqing
    const route = routeCase({
      service: 'ssc.apply',
      handlingRegion: handlingRegionOf({
        service: 'ssc.apply',
        kind: 'renew',
        applicant: { idNumber: id, name: '李四', phone: '13800138000' },
        issuingRegion: '500106',
        deliveryAddress: { region: '510104', line: '成都市锦江区' },
        photoRef: 'PHOTO-1',
        materials: [],
      }),
    });
    expect(route).toMatchObject({ node: 'CQ', agency: 'CQ.card', region: '500106' });
  });

  it('routes a historic Sichuan-era Chongqing code to Chongqing and marks it historic', () => {
    expect(routeCase({ service: 'ssc.apply', handlingRegion: '510202' })).toEqual({
      node: 'CQ',
      agency: 'CQ.card',
      region: '500103',
      regionHistoric: true,
    });
  });

  it('accepts an abolished Sichuan county code and routes it to its successor', () => {
    expect(routeCase({ service: 'ssc.apply', handlingRegion: '510124' })).toMatchObject({ node: 'SC', region: '510117', regionHistoric: true });
  });

  it('refuses a region outside Sichuan and Chongqing with REGION_NOT_SERVED', () => {
    expect(() => routeCase({ service: 'ssc.apply', handlingRegion: '110101' })).toThrow(
      expect.objectContaining({ code: 'REGION_NOT_SERVED', fields: [expect.objectContaining({ field: 'issuingRegion' })] }),
    );
  });

  it('refuses an unknown code with REGION_UNKNOWN', () => {
    expect(() => routeCase({ service: 'ssc.apply', handlingRegion: '519999' })).toThrow(expect.objectContaining({ code: 'REGION_UNKNOWN' }));
  });
});
