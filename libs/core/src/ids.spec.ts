import { CASE_NUMBER_PATTERN, caseNumberNode, MESSAGE_ID_PATTERN, newCaseNumber, newMessageId, shanghaiDate } from './ids.js';

describe('ids', () => {
  it('makes UUIDv7 message ids that sort by time', () => {
    const a = newMessageId(Date.UTC(2026, 0, 1));
    const b = newMessageId(Date.UTC(2026, 0, 2));
    expect(a).toMatch(MESSAGE_ID_PATTERN);
    expect(a[14]).toBe('7');
    expect(a < b).toBe(true);
  });

  it('prefixes case numbers with the accepting node and the Shanghai date', () => {
    // 2026-11-21T17:00Z is already 22 November in Asia/Shanghai
    const id = newCaseNumber('CQ', Date.UTC(2026, 10, 21, 17, 0));
    expect(id).toMatch(CASE_NUMBER_PATTERN);
    expect(id.startsWith('CQ-20261122-')).toBe(true);
    expect(shanghaiDate(Date.UTC(2026, 10, 21, 15, 59))).toBe('2026-11-21');
  });

  it('reads the accepting node from a case number, and nothing from anything else', () => {
    expect(caseNumberNode('SC-20261122-7K3F9ZQ2M8')).toBe('SC');
    expect(caseNumberNode(newCaseNumber('CQ', Date.UTC(2026, 10, 21)))).toBe('CQ');
    expect(caseNumberNode('GD-20261122-7K3F9ZQ2M8')).toBeNull();
    expect(caseNumberNode('SC-20261122-7K3F9ZQ2M')).toBeNull();
  });
});
