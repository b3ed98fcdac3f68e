import { Injectable } from '@nestjs/common';
import { toShanghaiIso } from '#core';
import { ENDED_CONVERSATION_STATES, serviceDefinition } from '#contracts';
import { GatewayDatabase, type ConversationRecord } from '#persistence';
import { CaseClock, type TimeLimitView } from '../cases/case-clock.js';

/** A pension transfer conversation as this node keeps it, for operators. */
export interface ConversationRow {
  readonly caseId: string;
  readonly conversation: number;
  readonly side: 'in' | 'out';
  readonly state: string;
  readonly leg: number;
  readonly legStartedAt: string;
  readonly inNode: string;
  readonly outNode: string;
  readonly outAgency: string;
  readonly outRegion: string;
  /** Why a sheet is held or a conversation refused: codes, fields, and for a sheet the figures expected and stated. */
  readonly problem: unknown;
  readonly timeLimit: TimeLimitView | null;
}

/**
 * The pension transfer conversations on this node, either side: a transfer-out node holds here
 * the sheets that did not add up (`state=sheet-invalid`), which no other view shows; every open
 * leg is on its 15-working-day clock, so `overdue=true` lists the late ones.
 */
@Injectable()
export class ConversationListService {
  constructor(
    private readonly db: GatewayDatabase,
    private readonly caseClock: CaseClock,
  ) {}

  async list(filter: { state?: string; overdue?: boolean }): Promise<ConversationRow[]> {
    const limits = serviceDefinition('pension.transfer')?.limits ?? [];
    const rows = await this.db.read((s) => s.conversations.listOpen(filter.state ? [] : ENDED_CONVERSATION_STATES, 500));
    return rows
      .filter((r) => filter.state === undefined || r.state === filter.state)
      .map((r) => this.toRow(r, limits[r.leg - 1]))
      .filter((r) => filter.overdue === undefined || (r.timeLimit?.overdue ?? false) === filter.overdue);
  }

  private toRow(r: ConversationRecord, limit: { leg: string; workingDays: number } | undefined): ConversationRow {
    return {
      caseId: r.caseId,
      conversation: r.conversation,
      side: r.side,
      state: r.state,
      leg: r.leg,
      legStartedAt: toShanghaiIso(r.legStartedAt),
      inNode: r.inNode,
      outNode: r.outNode,
      outAgency: r.outAgency,
      outRegion: r.outRegion,
      problem: r.problemJson === null ? null : (JSON.parse(r.problemJson) as unknown),
      timeLimit: r.leg > 0 && limit ? this.caseClock.leg(limit.leg, limit.workingDays, r.legStartedAt) : null,
    };
  }
}
