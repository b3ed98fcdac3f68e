import { checkAgainstCheckpoints, type AuditedCheckpoint } from './checkpoint-audit.js';

const hashes = Array.from({ length: 10 }, (_, i) => String(i + 1).padStart(64, '0'));
const cp = (count: number, headHash = hashes[count - 1], at = count * 1000): AuditedCheckpoint => ({ count, headHash, at, countersigner: 'CQ', source: 'cq.json' });

describe('a log copy weighed against countersigned checkpoints', () => {
  it('passes a copy that every checkpoint matches, and one that grew after the last', () => {
    expect(checkAgainstCheckpoints(hashes, [cp(4), cp(10)])).toMatchObject({ ok: true, checked: 2, latest: { count: 10 } });
    expect(checkAgainstCheckpoints(hashes, [cp(7)])).toMatchObject({ ok: true, checked: 1 });
    expect(checkAgainstCheckpoints(hashes, [])).toEqual({ ok: true, checked: 0, latest: null });
  });

  it('names the first removed entry when the copy is shorter than a checkpoint', () => {
    expect(checkAgainstCheckpoints(hashes.slice(0, 7), [cp(4), cp(10)])).toMatchObject({ ok: false, brokenAt: 8, reason: 'TRUNCATED' });
  });

  it('names the entry after the last matching checkpoint when the tail was written anew', () => {
    expect(checkAgainstCheckpoints(hashes, [cp(4), cp(9, 'f'.repeat(64))])).toMatchObject({ ok: false, brokenAt: 5, reason: 'TAIL_REWRITTEN' });
  });

  it('names a fork: two heads at one count, or an earlier checkpoint off a chain a later one matches', () => {
    expect(checkAgainstCheckpoints(hashes, [cp(3), cp(6), cp(6, 'e'.repeat(64))])).toMatchObject({ ok: false, brokenAt: 4, reason: 'FORKED' });
    expect(checkAgainstCheckpoints(hashes, [cp(5, 'e'.repeat(64)), cp(8)])).toMatchObject({ ok: false, brokenAt: 1, reason: 'FORKED' });
  });

  it('names the first bad entry when a copy is both rewritten and truncated', () => {
    expect(checkAgainstCheckpoints(hashes.slice(0, 6), [cp(2), cp(5, 'd'.repeat(64)), cp(10)])).toMatchObject({ ok: false, brokenAt: 3, reason: 'TAIL_REWRITTEN' });
  });
});
