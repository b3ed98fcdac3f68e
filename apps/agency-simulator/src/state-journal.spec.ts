import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import { readSystemState } from './agency-system.simulator.js';
import { CardCentreSimulator } from './card-centre.simulator.js';
import { StateJournal } from './state-journal.js';

const APPLY = { kind: 'new', photoRef: 'PHOTO-OK-1' } as const;
const caseNo = (n: number) => `CQ-20261123-${String(n).padStart(10, '0')}`;

describe('agency simulator state: snapshot and append-only journal', () => {
  let dir: string;
  let file: string;
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 2, 0, 0));
  const card = () => new CardCentreSimulator({ province: 'SC', clock, stepMs: 1000, seed: 7, stateFile: file, rejectRate: 0, temporaryLossDays: 5 });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-journal-'));
    file = join(dir, 'sim.json');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one line per change and leaves the snapshot alone, instead of rewriting the whole state', () => {
    const sim = card();
    const snapshot = readFileSync(file, 'utf8');
    for (let i = 1; i <= 20; i += 1) sim.apply(caseNo(i), '510104199001011234', APPLY);
    expect(readFileSync(file, 'utf8')).toBe(snapshot);
    expect(readFileSync(`${file}.journal`, 'utf8').trimEnd().split('\n')).toHaveLength(20);
  });

  it('after a kill (no close), a restart knows every acknowledged case, event and follow-up, and a repeated hand-over creates nothing', () => {
    const first = card();
    for (let i = 1; i <= 5; i += 1) first.apply(caseNo(i), '510104199001011234', APPLY);
    first.withdraw(caseNo(2), 'withdrawal-1');
    clock.advance(1000);
    first.tick();
    const events = first.eventsAfter(0, 1000);
    // No close(), no compaction: what a kill -9 leaves behind.
    const restarted = card();
    expect(restarted.eventsAfter(0, 1000)).toEqual(events);
    expect(restarted.stats()).toEqual(first.stats());
    expect(restarted.apply(caseNo(3), '510104199001011234', APPLY)).toMatchObject({ duplicate: true });
    expect(restarted.withdraw(caseNo(2), 'withdrawal-1')).toMatchObject({ duplicate: true });
    for (let i = 1; i <= 5; i += 1) expect(restarted.caseCount(caseNo(i))).toBe(1);
    expect(readSystemState(file)?.created).toEqual(Object.fromEntries([1, 2, 3, 4, 5].map((i) => [caseNo(i), 1])));
  });

  it('keeps a flag set on another case (an unblock lifts the loss report) across a restart', () => {
    const sim = card();
    sim.reportLoss(caseNo(1), '510104199001011234', { action: 'report', lossType: 'formal', functions: ['social'] });
    sim.reportLoss(caseNo(2), '510104199001011234', { action: 'unblock', functions: ['social'] });
    const restarted = card();
    // The loss report was lifted: a second unblock finds no active loss report.
    restarted.reportLoss(caseNo(3), '510104199001011234', { action: 'unblock', functions: ['social'] });
    expect(restarted.eventsAfter(0, 10).map((e) => `${e.businessKey} ${e.stage} ${e.reason ?? ''}`.trim())).toEqual([
      `${caseNo(1)} loss-reported`,
      `${caseNo(2)} unblocked`,
      `${caseNo(3)} rejected NO_ACTIVE_LOSS_REPORT`,
    ]);
  });

  it('ignores a last line a crash cut short, and compacts it away at the next start', () => {
    const sim = card();
    sim.apply(caseNo(1), '510104199001011234', APPLY);
    appendFileSync(`${file}.journal`, '{"cases":[{"businessKey":"CQ-2026');
    const restarted = card();
    expect(restarted.caseCount(caseNo(1))).toBe(1);
    expect(readFileSync(`${file}.journal`, 'utf8')).toBe('');
    restarted.apply(caseNo(2), '510104199001011234', APPLY);
    expect(readSystemState(file)?.created).toEqual({ [caseNo(1)]: 1, [caseNo(2)]: 1 });
  });

  it('replays a journal that overlaps its snapshot (a crash between compaction’s rename and truncation) to the same state', () => {
    const sim = card();
    for (let i = 1; i <= 3; i += 1) sim.apply(caseNo(i), '510104199001011234', APPLY);
    const journal = readFileSync(`${file}.journal`, 'utf8');
    const state = readSystemState(file);
    writeFileSync(file, JSON.stringify(state));
    // The journal was not emptied: every line is replayed a second time.
    expect(readSystemState(file)).toEqual(state);
    expect(readFileSync(`${file}.journal`, 'utf8')).toBe(journal);
  });

  it('compacts once the journal has outgrown the snapshot, so a change never costs a rewrite of the state', () => {
    const path = join(dir, 'plain.json');
    const journal = StateJournal.open(path, { minCompactBytes: 100 });
    journal.compact({ n: 0 });
    let compactions = 0;
    for (let n = 1; n <= 50; n += 1) {
      journal.append({ n });
      if (journal.shouldCompact) {
        journal.compact({ n });
        compactions += 1;
      }
    }
    expect(compactions).toBeGreaterThan(0);
    expect(compactions).toBeLessThan(10);
    const { snapshot, changes } = StateJournal.read(path);
    expect([snapshot, ...changes].at(-1)).toEqual({ n: 50 });
    expect(statSync(`${path}.journal`).size).toBeLessThan(100);
    journal.close();
    expect(() => journal.append({ n: 51 })).toThrow(/JOURNAL_CLOSED/);
  });

  it('cuts off a line whose write failed partway, so the next append is not joined to it and the journal still reads', () => {
    const path = join(dir, 'plain.json');
    let failNext = false;
    const journal = StateJournal.open(path, {
      write: (fd, buffer, offset) => {
        if (!failNext) return writeSync(fd, buffer, offset);
        // Half the line reaches the disk, then the disk is full.
        failNext = false;
        writeSync(fd, buffer, offset, Math.floor((buffer.length - offset) / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    });
    journal.append({ n: 1 });
    const before = statSync(`${path}.journal`).size;
    failNext = true;
    expect(() => journal.append({ n: 2, note: 'a change long enough to be cut in half' })).toThrow(/ENOSPC/);
    expect(statSync(`${path}.journal`).size).toBe(before);
    journal.append({ n: 3 });
    journal.close();
    expect(StateJournal.read(path)).toEqual({ snapshot: null, changes: [{ n: 1 }, { n: 3 }], torn: false });
  });

  it('starts afresh without files, and writes none without a state file', () => {
    expect(readSystemState(file)).toBeNull();
    const memory = new CardCentreSimulator({ province: 'SC', clock, stepMs: 1000, seed: 7, rejectRate: 0, temporaryLossDays: 5 });
    memory.apply(caseNo(1), '510104199001011234', APPLY);
    expect(existsSync(file)).toBe(false);
  });
});
