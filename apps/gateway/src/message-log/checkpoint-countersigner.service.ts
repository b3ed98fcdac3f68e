import { Inject, Injectable } from '@nestjs/common';
import { Clock, GatewayError } from '#core';
import { GatewayDatabase } from '#persistence';
import { countersignCheckpoint, FileKeyStore, TrustStore, verifyCheckpoint } from '#signing';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/**
 * The peer side of a log checkpoint: verifies the checkpoint a peer signed of its own log,
 * refuses one that goes back on what this node already countersigned for that peer, then
 * countersigns it and keeps both. What this node keeps is what an auditor of the peer's log asks
 * it for (GET /api/v1/operator/checkpoints): the peer's signed word on how long its log was.
 */
@Injectable()
export class CheckpointCountersigner {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: GatewayDatabase,
    private readonly keys: FileKeyStore,
    private readonly trust: TrustStore,
    private readonly clock: Clock,
  ) {}

  /** Answers the countersignature (compact JWS) of `checkpoint`, or throws CHECKPOINT_INVALID / CHECKPOINT_REGRESSED. */
  async countersign(checkpoint: string): Promise<string> {
    // 1. A checkpoint signed by a federation key of the node whose log it is, for us, not dated ahead.
    const claims = await verifyCheckpoint(checkpoint, { trust: this.trust, expectedPeer: this.config.node, nowMs: this.clock.nowMs(), maxSkewSeconds: this.config.maxClockSkewSeconds });
    return this.db.transaction(async (tx) => {
      // 2. Against the last one we countersigned for that node: the same one again gets the same answer
      //    (the peer did not see our first), and a log never gets shorter, older, or another head at
      //    the same length. A fork with a longer chain is not visible here: the auditor's verifier,
      //    with the log in hand, names it.
      const last = await tx.logCheckpoints.latest(claims.node, this.config.node);
      if (last?.checkpoint === checkpoint) return last.countersignature;
      if (last) {
        const regressed =
          claims.count < last.count ? `count ${claims.count} is below the ${last.count} already countersigned`
          : claims.at < last.at ? 'it is older than the checkpoint already countersigned'
          : claims.count === last.count && claims.headHash !== last.headHash ? `another head at the same count ${claims.count} (a forked log)`
          : null;
        if (regressed) throw new GatewayError('CHECKPOINT_REGRESSED', { detail: regressed });
      }
      // 3. Countersign (over the SHA-256 of exactly these bytes) and keep both.
      const countersignedAt = this.clock.nowMs();
      const countersignature = await countersignCheckpoint(this.keys.current(), checkpoint, claims, countersignedAt);
      await tx.logCheckpoints.insert({
        node: claims.node,
        countersigner: this.config.node,
        count: claims.count,
        headHash: claims.headHash,
        at: claims.at,
        checkpoint,
        countersignature,
        countersignedAt,
      });
      return countersignature;
    });
  }
}
