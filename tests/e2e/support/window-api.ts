import request from 'supertest';
import type { NodeUnderTest } from './two-node-harness.js';

/**
 * Submits an application at a node's first demo window over real HTTP and returns its case
 * number. A refusal fails the test with the problem (code and field) in the message.
 */
export async function submitApplication(n: NodeUnderTest, body: object): Promise<string> {
  const response = await request(n.url('')).post('/api/v1/applications').set('authorization', n.window).send(body);
  expect({ status: response.status, problem: response.status === 201 ? null : (response.body as unknown) }).toEqual({ status: 201, problem: null });
  return (response.body as { caseId: string }).caseId;
}

interface Timeline {
  readonly timeline: readonly { readonly stage: string; readonly side: string }[];
}

/** A case's stages in order, e.g. ['submitted', 'forwarded', …]. */
export const stagesOf = (v: Timeline): string[] => v.timeline.map((e) => e.stage);

/** A case's stages with the node that recorded each, e.g. ['submitted@CQ', 'received@SC', …]. */
export const stagesWithSideOf = (v: Timeline): string[] => v.timeline.map((e) => `${e.stage}@${e.side}`);
