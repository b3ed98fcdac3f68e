import { parseStrictJson, type DuplicateMember } from '#core';
import type { AgencyLinkError } from '#contracts';

/**
 * The agency link's JSON, read one way only. Nest's transports parse each frame with `JSON.parse`,
 * which keeps the last of two equal member names: a delivery naming `caseId` twice, or a status
 * report naming `stage` twice, would mean to the handler whatever the last one says, and maybe
 * the first to a log, a broker tool or another version of the code. RFC 8259 §4 leaves it to the
 * reader; RFC 7515 §4 and RFC 7519 §4 say reject, which is what the envelopes do, and the link
 * does the same: such a frame is answered CONTRACT_INVALID (permanent) and never reaches a handler.
 */
export type LinkFrame =
  | { readonly ok: true; readonly packet: unknown }
  /** `packet` is the last-wins reading, used only to address the refusal (its `id`, whether it has a `pattern`). */
  | { readonly ok: false; readonly packet: unknown; readonly error: AgencyLinkError };

/**
 * Parses one frame of the agency link (a Nest packet: `{ pattern, data, id }` for a request,
 * `{ id, response | err, isDisposed }` for an answer). Returns undefined when the text is not
 * JSON at all, which the transport reports as before.
 *
 * @example readLinkFrame('{"pattern":"agency.status.v1","data":{"stage":"a","stage":"b"},"id":"1"}')
 *   // { ok: false, packet: {...}, error: { code: 'CONTRACT_INVALID', ..., fields: ['stage'] } }
 */
export function readLinkFrame(text: string): LinkFrame | undefined {
  const parsed = parseStrictJson(text);
  if (parsed.ok) return { ok: true, packet: parsed.value };
  if (parsed.reason === 'syntax') return undefined;
  return { ok: false, packet: JSON.parse(text) as unknown, error: duplicateMemberError(parsed.duplicate) };
}

/** The packet id a refusal answers, or undefined for an event (no answer expected) or a frame without one. */
export function packetId(packet: unknown): unknown {
  return packet !== null && typeof packet === 'object' ? (packet as { id?: unknown }).id : undefined;
}

/** True when the packet is a request (it names a pattern), false for an answer. */
export function isRequestPacket(packet: unknown): boolean {
  return packet !== null && typeof packet === 'object' && 'pattern' in packet;
}

/**
 * CONTRACT_INVALID naming where the repeated member is, inside the message (`items[2].stage`):
 * names only, never values, as every refusal on the link.
 */
function duplicateMemberError(duplicate: DuplicateMember): AgencyLinkError {
  // The packet's own `data` is the message: paths are named from inside it, as handlers name fields.
  const path = duplicate.path[0] === 'data' && duplicate.path.length > 1 ? duplicate.path.slice(1) : duplicate.path;
  const field = path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');
  return {
    code: 'CONTRACT_INVALID',
    message: 'the message names a member twice in one object (RFC 8259 §4): refused, there must be one reading only',
    permanent: true,
    fields: [field],
  };
}
