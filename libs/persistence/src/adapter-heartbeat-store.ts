import type { SqlRunner } from './sql-runner.js';

/** The latest heartbeat of one adapter instance (migration 0010), as the gateway received it. */
export interface AdapterHeartbeatRecord {
  readonly adapterId: string;
  readonly beat: number;
  /** The adapter's clock when it sent the beat (ms). */
  readonly sentAt: number;
  /** This node's clock when a replica stored it (ms). */
  readonly receivedAt: number;
  readonly everyMs: number;
  /** When the instance said it was stopping (its last beat), or null. */
  readonly stoppedAt: number | null;
  /** The agencies it fronts and what it last heard from each (JSON of AgencyReachability[]). */
  readonly agenciesJson: string;
}

const COLUMNS = 'adapter_id, beat, sent_at, received_at, every_ms, stopped_at, agencies_json';

/** Adapter heartbeats: one row per instance, the newest beat wins. */
export class AdapterHeartbeatStore {
  constructor(private readonly sql: SqlRunner) {}

  /**
   * Keeps `record` as its instance's latest beat, unless a newer beat of that instance is
   * already stored (beats may arrive out of order through the queue), and forgets instances
   * silent since `forgetBefore` (restarted adapters take a new id). Returns whether it was kept.
   *
   * @example await tx.heartbeats.record({ adapterId, beat: 3, sentAt, receivedAt: now, everyMs: 5000, stoppedAt: null, agenciesJson: '[]' }, now - 3_600_000)
   */
  async record(record: AdapterHeartbeatRecord, forgetBefore: number): Promise<boolean> {
    await this.sql.run('DELETE FROM adapter_heartbeats WHERE received_at < ? AND adapter_id <> ?', [forgetBefore, record.adapterId]);
    const kept = await this.sql.run(
      `INSERT INTO adapter_heartbeats (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ` +
        'ON CONFLICT (adapter_id) DO UPDATE SET beat = excluded.beat, sent_at = excluded.sent_at, received_at = excluded.received_at, ' +
        'every_ms = excluded.every_ms, stopped_at = excluded.stopped_at, agencies_json = excluded.agencies_json WHERE adapter_heartbeats.beat < excluded.beat',
      [record.adapterId, record.beat, record.sentAt, record.receivedAt, record.everyMs, record.stoppedAt, record.agenciesJson],
    );
    return kept > 0;
  }

  /** Every instance heard from since `since` (ms), latest first. */
  async since(since: number): Promise<AdapterHeartbeatRecord[]> {
    const rows = await this.sql.all(`SELECT ${COLUMNS} FROM adapter_heartbeats WHERE received_at >= ? ORDER BY received_at DESC`, [since]);
    return rows.map((r) => ({
      adapterId: String(r['adapter_id']),
      beat: Number(r['beat']),
      sentAt: Number(r['sent_at']),
      receivedAt: Number(r['received_at']),
      everyMs: Number(r['every_ms']),
      stoppedAt: r['stopped_at'] === null || r['stopped_at'] === undefined ? null : Number(r['stopped_at']),
      agenciesJson: String(r['agencies_json']),
    }));
  }
}
