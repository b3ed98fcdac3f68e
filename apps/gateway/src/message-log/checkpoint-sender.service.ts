import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock, GatewayError, isGatewayError, type NodeCode } from '#core';
import { GatewayDatabase } from '#persistence';
import { FileKeyStore, GENESIS_HASH, nodeUrl, signCheckpoint, TrustStore, verifyCountersignature, type ChainHashAlg } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { FederationHolder } from '../trust/federation-holder.js';
import { logHashAlgOf } from './message-log.service.js';

/** What one checkpoint sent to one peer came to. */
export type CheckpointOutcome =
  | { readonly peer: NodeCode; readonly ok: true; readonly count: number; readonly headHash: string }
  | { readonly peer: NodeCode; readonly ok: false; readonly code: string };

/** The path of the peer face that countersigns checkpoints (CheckpointController). */
export const CHECKPOINT_PATH = 'peer/v1/checkpoints';

/**
 * Anchors the end of this node's message log: every LOG_CHECKPOINT_INTERVAL_MS (by the injected
 * clock) in which the log's head changed, it signs a checkpoint {count, head hash, time} and has
 * each peer countersign it; it keeps the countersignature it gets back. Each side then holds the
 * other's signed word on how long its log was, so removing the newest entries, writing a new
 * tail or showing two auditors two different logs is named by `npm run verify-log`.
 *
 * Why not the outbox: an outbox message must arrive once, in order, however late. A checkpoint
 * is a reading of the head that the next one supersedes; a failed one is not retried as such,
 * the next period signs the head as it is then.
 */
@Injectable()
export class CheckpointSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LogCheckpoint');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  /** When each peer was last asked (by the clock); unset: at start, ask as soon as the head differs. */
  private readonly lastAsked = new Map<NodeCode, number>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly keys: FileKeyStore,
    private readonly trust: TrustStore,
    private readonly federation: FederationHolder,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.logCheckpointIntervalMs;
    if (interval === 0) return;
    // The period is measured on the injected clock; the timer only looks at it, at most once a second.
    this.timer = setInterval(() => {
      this.running ??= this.checkpointDue().finally(() => {
        this.running = null;
      });
    }, Math.min(interval, 1000));
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Checkpoints to the peers whose period is over and whose last countersigned head is not the head now. */
  async checkpointDue(): Promise<CheckpointOutcome[]> {
    const now = this.clock.nowMs();
    const due = this.peers().filter((peer) => now - (this.lastAsked.get(peer) ?? Number.NEGATIVE_INFINITY) >= this.config.logCheckpointIntervalMs);
    return this.checkpoint(due, false);
  }

  /** Checkpoints to every peer now, whether or not the head changed (operators and tests). */
  async checkpointNow(): Promise<CheckpointOutcome[]> {
    return this.checkpoint(this.peers(), true);
  }

  private peers(): NodeCode[] {
    return this.federation.current.nodes.map((n) => n.node).filter((node) => node !== this.config.node);
  }

  private async checkpoint(peers: readonly NodeCode[], always: boolean): Promise<CheckpointOutcome[]> {
    if (peers.length === 0) return [];
    try {
      // 1. The head as it is now (without the chain writer's lock: a checkpoint only reads).
      const head = await this.db.read((s) => s.messageLog.newest());
      const count = head?.seq ?? 0;
      const headHash = head?.hash ?? GENESIS_HASH;
      // The hash the head was chained with (an empty log: the suite's in force), said in the checkpoint.
      const hashAlg = head?.hashAlg ?? logHashAlgOf(this.federation.current);
      const outcomes: CheckpointOutcome[] = [];
      for (const peer of peers) {
        // 2. Nothing new since the last countersigned checkpoint: nothing to sign.
        const last = await this.db.read((s) => s.logCheckpoints.latest(this.config.node, peer));
        if (!always && (last ? last.count === count && last.headHash === headHash : count === 0)) continue;
        this.lastAsked.set(peer, this.clock.nowMs());
        outcomes.push(await this.sendTo(peer, count, headHash, hashAlg));
      }
      return outcomes;
    } catch (error) {
      // The database could not be read (a restart, a reset connection): this period is skipped, the
      // next one reads the head again. Never a rejection: the timer has no one to hand it to.
      const code = isGatewayError(error) ? error.code : 'INTERNAL';
      this.logger.warn({ msg: 'log head not readable; the next period tries again', code });
      return peers.map((peer) => ({ peer, ok: false, code }));
    }
  }

  private async sendTo(peer: NodeCode, count: number, headHash: string, hashAlg: ChainHashAlg): Promise<CheckpointOutcome> {
    try {
      // 3. Sign, send, and verify the countersignature against exactly what was sent.
      const at = this.clock.nowMs();
      const checkpoint = await signCheckpoint(this.keys.current(), { node: this.config.node, peer, count, headHash, hashAlg, at });
      const countersignature = await this.post(peer, checkpoint);
      const claims = await verifyCountersignature(countersignature, { trust: this.trust, checkpoint, expectedSigner: peer });
      // 4. Keep both: this node's proof of what it showed, and when the peer saw it.
      await this.db.transaction((tx) =>
        tx.logCheckpoints.insert({ node: this.config.node, countersigner: peer, count, headHash, at, checkpoint, countersignature, countersignedAt: claims.countersignedAt }),
      );
      return { peer, ok: true, count, headHash };
    } catch (error) {
      const code = isGatewayError(error) ? error.code : 'INTERNAL';
      this.logger.warn({ msg: 'log checkpoint not countersigned; the next period tries again', peer, code });
      return { peer, ok: false, code };
    }
  }

  private async post(peer: NodeCode, checkpoint: string): Promise<string> {
    const base = nodeUrl(this.federation.current, peer);
    if (base === undefined) throw new GatewayError('ROUTE_UNKNOWN', { detail: `the federation lists no URL for ${peer}` });
    let response: Response;
    try {
      response = await fetch(`${base}/${CHECKPOINT_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/jose', accept: 'application/jose' },
        body: checkpoint,
        signal: AbortSignal.timeout(this.config.peerTimeoutMs),
      });
    } catch (cause) {
      throw new GatewayError('PEER_UNAVAILABLE', { detail: 'the checkpoint could not be sent', cause });
    }
    const text = (await response.text().catch(() => '')).trim();
    if (!response.ok) throw new GatewayError(peerCode(text) ?? 'PEER_UNAVAILABLE', { detail: `peer answered ${response.status} to a checkpoint` });
    return text;
  }
}

/** A problem code the peer answered that this node also knows, or null. */
function peerCode(text: string): 'CHECKPOINT_INVALID' | 'CHECKPOINT_REGRESSED' | null {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return code === 'CHECKPOINT_INVALID' || code === 'CHECKPOINT_REGRESSED' ? code : null;
  } catch {
    return null;
  }
}
