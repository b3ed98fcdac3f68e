import { checkInformationSheet } from '#pension';
import { yuanToFen } from '#adapter-kit';
import { fromChongqingEvent, PENSION_REFUSE, toChongqingSheet } from './chongqing-mapping.js';

const sheet = {
  periods: [
    { from: '1997-07', to: '1997-12', monthlyBase: '650.10', months: 6 },
    { from: '1998-01', to: '1998-12', monthlyBase: '702.11', months: 12 },
  ],
  personalAccountBalance: '12345.67',
  personalTransfer: '12345.67',
  pooledTransfer: '1011.04',
  totalTransfer: '13356.71',
  relationEndedOn: '2026-11-23',
  remittance: { ref: 'SCHK00000002', remittedOn: '2026-11-23' },
};

describe('Chongqing pension transfer mapping', () => {
  it('converts the information sheet to integer fen and back exactly', () => {
    expect(checkInformationSheet(sheet)).toEqual([]);
    const out = toChongqingSheet(sheet);
    expect(out).toMatchObject({ balanceFen: 1_234_567, pooledFen: 101_104, totalFen: 1_335_671, periods: [{ baseFen: 65_010 }, { baseFen: 70_211 }] });
    const report = fromChongqingEvent(
      {
        eventNo: 4,
        bizSerialNo: 'CY2026112300000001',
        orderNo: 'CQP00000004',
        bizType: 'PENSION_TRANSFER',
        state: 'SHEET_ISSUED',
        seqNo: 2,
        infoSheet: out,
        occurredAt: '2026-11-23T09:01:00+08:00',
      },
      PENSION_REFUSE,
    );
    expect(report).toMatchObject({ stage: 'information-sheet-issued', conversation: 2, document: { informationSheet: sheet } });
  });

  it('maps a leg-2 refusal with its conversation and reason', () => {
    const report = fromChongqingEvent(
      {
        eventNo: 5,
        bizSerialNo: 'CY2026112300000001',
        orderNo: 'CQP00000005',
        bizType: 'PENSION_TRANSFER',
        state: 'TRANSFER_REFUSED',
        refuseCode: 'T-DRAWING',
        seqNo: 1,
        occurredAt: '2026-11-23T09:01:00+08:00',
      },
      PENSION_REFUSE,
    );
    expect(report).toMatchObject({ stage: 'transfer-refused', conversation: 1, reason: { code: 'ALREADY_DRAWING_PENSION' } });
  });

  it('refuses an amount it cannot convert exactly', () => {
    expect(yuanToFen('0.1')).toBe(10);
    expect(() => yuanToFen('1.234')).toThrow();
    expect(() => yuanToFen('1e3')).toThrow();
  });
});
