import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '#core';
import type { StatusUpdate } from '#contracts';
import { GatewayDatabase } from '#persistence';
import { StatusApplier } from './status-applier.js';
import { CaseClock } from './case-clock.js';
import { CaseTimeline } from './case-timeline.js';
import { HolidayCalendar } from '../calendar/holiday-calendar.js';
import { orderTimeline } from './case-view.js';
import { caseRecord } from '../../../../libs/persistence/src/records.fixtures.js';

describe('StatusApplier (accepting side)', () => {
  const caseId = 'CQ-20261123-00000000AB';
  let dir: string;
  let db: GatewayDatabase;
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 1));
  const applier = new StatusApplier(clock, new CaseTimeline('CQ', clock, new CaseClock(clock, new HolidayCalendar({ holidaysFile: join(tmpdir(), `no-holidays-${process.pid}.json`) }, clock))));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'applier-'));
    db = await GatewayDatabase.open({ kind: 'sqlite', file: join(dir, 'gw.db') }, { migrate: true });
    await db.transaction((tx) => tx.cases.insert(caseRecord(caseId, { acceptedAt: clock.nowMs(), updatedAt: clock.nowMs() })));
  });

  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const update = (seq: number, stage: StatusUpdate['stage']): StatusUpdate => ({
    caseId,
    seq,
    stage,
    at: '2026-11-23T09:00:00.000+08:00',
    side: 'SC',
  });
  const apply = (u: StatusUpdate, sender: 'SC' | 'CQ' = 'SC') => db.transaction((tx) => applier.apply(tx, sender, u));
  const timeline = async () => orderTimeline(await db.read((s) => s.events.listByCase(caseId))).map((e) => `${e.seq}:${e.stage}`);

  it('holds an early update until the gap is filled, then applies both in order', async () => {
    await apply(update(2, 'agency-received'));
    expect(await timeline()).toEqual([]);
    await apply(update(1, 'received'));
    expect(await timeline()).toEqual(['1:received', '2:agency-received']);
    expect(await db.read((s) => s.cases.get(caseId))).toMatchObject({ lastAppliedSeq: 2, stage: 'agency-received' });
  });

  it('ignores a repeated update', async () => {
    await apply(update(1, 'received'));
    await apply(update(1, 'received'));
    await apply(update(2, 'rejected'));
    await apply(update(2, 'rejected'));
    expect(await timeline()).toEqual(['1:received', '2:rejected']);
    expect(await db.read((s) => s.cases.get(caseId))).toMatchObject({ status: 'rejected' });
  });

  it('applies a long run delivered in reverse order in sequence order', async () => {
    const stages: StatusUpdate['stage'][] = ['received', 'agency-received', 'eligibility-check', 'in-production', 'produced', 'mailed', 'collected'];
    for (let i = stages.length; i >= 1; i -= 1) await apply(update(i, stages[i - 1]));
    expect(await timeline()).toEqual(stages.map((s, i) => `${i + 1}:${s}`));
    expect(await db.read((s) => s.cases.get(caseId))).toMatchObject({ status: 'completed' });
    expect(await db.read((s) => s.pendingStatus.countByCase(caseId))).toBe(0);
  });

  it('refuses an update from a node that does not handle the case', async () => {
    await expect(apply(update(1, 'received'), 'CQ')).rejects.toMatchObject({ code: 'STATUS_NOT_ALLOWED' });
  });
});
