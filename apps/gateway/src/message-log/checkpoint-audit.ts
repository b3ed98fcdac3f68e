import type { NodeCode } from '#core';

/** A checkpoint as the verifier weighs it: its claims, who countersigned it, and where it came from. */
export interface AuditedCheckpoint {
  readonly count: number;
  readonly headHash: string;
  readonly at: number;
  readonly countersigner: NodeCode;
  /** Where the auditor got it: `the copy` or a file name. */
  readonly source: string;
}

export type CheckpointFinding = 'TRUNCATED' | 'TAIL_REWRITTEN' | 'FORKED';

export type CheckpointVerdict =
  | { readonly ok: true; readonly checked: number; readonly latest: AuditedCheckpoint | null }
  | { readonly ok: false; readonly brokenAt: number; readonly reason: CheckpointFinding; readonly detail: string };

/**
 * Weighs an intact chain (its entries' hashes, in seq order from 1) against countersigned
 * checkpoints of it, and names the first bad entry:
 * - TRUNCATED: a checkpoint counts more entries than the copy has (the newest were removed);
 * - TAIL_REWRITTEN: the entry at a checkpoint's count hashes otherwise, and no later checkpoint
 *   matches (the entries after the last matching checkpoint were written anew);
 * - FORKED: the checkpoints cannot all be of one chain (two heads at one count, or an earlier
 *   checkpoint that does not match while a later one does): the node showed two different logs.
 *
 * @example checkAgainstCheckpoints(records.map((r) => r.hash), [{ count: 12, headHash, at, countersigner: 'CQ', source: 'cq.json' }])
 */
export function checkAgainstCheckpoints(hashes: readonly string[], checkpoints: readonly AuditedCheckpoint[]): CheckpointVerdict {
  const sorted = [...checkpoints].sort((a, b) => a.count - b.count || a.at - b.at);
  const matches = (c: AuditedCheckpoint) => c.count <= hashes.length && (c.count === 0 || hashes[c.count - 1] === c.headHash);
  /** The greatest count below `count` at which a checkpoint matches the copy: the entries up to it are attested. */
  const attestedBelow = (count: number) => Math.max(0, ...sorted.filter((c) => c.count < count && matches(c)).map((c) => c.count));
  const said = (c: AuditedCheckpoint) => `the checkpoint of ${new Date(c.at).toISOString()} countersigned by ${c.countersigner} (${c.source}) says entry ${c.count} hashes to ${c.headHash.slice(0, 12)}…`;
  const findings: Extract<CheckpointVerdict, { ok: false }>[] = [];

  // 1. Two checkpoints, one count, two heads: two chains were signed.
  for (let i = 1; i < sorted.length; i += 1) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (a.count === b.count && a.headHash !== b.headHash) {
      findings.push({ ok: false, brokenAt: attestedBelow(a.count) + 1, reason: 'FORKED', detail: `two checkpoints give entry ${a.count} different hashes: ${said(a)}; ${said(b)}` });
    }
  }
  // 2. Each checkpoint within the copy that does not match it.
  const lastMatching = Math.max(0, ...sorted.filter(matches).map((c) => c.count));
  for (const c of sorted.filter((x) => x.count <= hashes.length && !matches(x))) {
    const from = attestedBelow(c.count) + 1;
    findings.push(
      lastMatching > c.count
        ? { ok: false, brokenAt: from, reason: 'FORKED', detail: `${said(c)}, yet a later checkpoint (entry ${lastMatching}) matches this copy: the node signed two different chains` }
        : { ok: false, brokenAt: from, reason: 'TAIL_REWRITTEN', detail: `entries ${from} to ${c.count} differ from what was countersigned: ${said(c)}` },
    );
  }
  // 3. The longest checkpoint beyond the copy's end.
  const longest = sorted.at(-1);
  if (longest && longest.count > hashes.length) {
    findings.push({ ok: false, brokenAt: hashes.length + 1, reason: 'TRUNCATED', detail: `the copy ends at entry ${hashes.length}, but ${said(longest)}: entries ${hashes.length + 1} to ${longest.count} were removed` });
  }
  if (findings.length > 0) return findings.reduce((first, f) => (f.brokenAt < first.brokenAt ? f : first));
  return { ok: true, checked: sorted.length, latest: longest ?? null };
}
