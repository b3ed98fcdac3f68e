/** The gateway nodes of the federation: one per province. */
export const NODE_CODES = ['SC', 'CQ'] as const;
export type NodeCode = (typeof NODE_CODES)[number];

export function isNodeCode(value: unknown): value is NodeCode {
  return value === 'SC' || value === 'CQ';
}

/** Province names as windows print them. */
export const NODE_NAMES: Record<NodeCode, string> = { SC: '四川', CQ: '重庆' };
