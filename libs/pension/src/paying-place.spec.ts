import { decidePayingPlace } from './paying-place.js';

describe('which province pays the pension (国办发〔2009〕66号 第六条)', () => {
  const hukou = '510104'; // Chengdu
  it('rule 1: the relation is at the hukou place', () => {
    expect(decidePayingPlace({ hukouRegion: hukou, places: [{ region: '500103', months: 200 }, { region: hukou, months: 24 }] }).rule).toBe(1);
  });
  it('rule 2: ten years or more at the current place', () => {
    expect(decidePayingPlace({ hukouRegion: hukou, places: [{ region: '500103', months: 120 }] })).toMatchObject({ rule: 2, region: '500103' });
  });
  it('rule 3: back to the last earlier place with ten years', () => {
    const places = [
      { region: '510703', months: 130 },
      { region: '440305', months: 125 }, // Shenzhen
      { region: '500103', months: 60 },
    ];
    expect(decidePayingPlace({ hukouRegion: hukou, places })).toMatchObject({ rule: 3, region: '440305' });
  });
  it('rule 4: no place with ten years: the hukou place', () => {
    expect(decidePayingPlace({ hukouRegion: hukou, places: [{ region: '440305', months: 119 }, { region: '500103', months: 30 }] })).toMatchObject({ rule: 4, region: hukou });
  });
  it('a place is a province: two districts of Chongqing add up to ten years (rule 2)', () => {
    expect(decidePayingPlace({ hukouRegion: hukou, places: [{ region: '500111', months: 119 }, { region: '500103', months: 30 }] })).toMatchObject({ rule: 2, region: '500103' });
  });
  it('a place is a province: a relation in another Sichuan city is at the hukou place (rule 1)', () => {
    expect(decidePayingPlace({ hukouRegion: hukou, places: [{ region: '500103', months: 30 }, { region: '510703', months: 12 }] })).toMatchObject({ rule: 1, region: '510703' });
  });
  it('cumulative: two stays in one province add up for an earlier place (rule 3)', () => {
    const places = [
      { region: '500103', months: 70 },
      { region: '440305', months: 20 },
      { region: '500111', months: 60 },
      { region: '330106', months: 30 },
    ];
    expect(decidePayingPlace({ hukouRegion: hukou, places })).toMatchObject({ rule: 3, region: '500111' });
  });
});
