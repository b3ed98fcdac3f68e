import { JsonSocket } from '@nestjs/microservices';
import { isRequestPacket, packetId, readLinkFrame } from './link-json.js';

/**
 * Nest's TCP framing (`<length>#<json>`) with the agency link's strict JSON (link-json.ts): a
 * frame that names a member twice is answered, not handled. Both ends of the TCP link use it
 * (`socketClass` of the server and of the client), so it sees requests and answers:
 *
 * - a request (it has a `pattern`) is answered at once with CONTRACT_INVALID under its id, as a
 *   handler's refusal would be, and never reaches a handler;
 * - an answer is turned into that same error for the caller waiting on its id.
 *
 * A frame that is not JSON at all goes to Nest as before (InvalidJSONFormatException).
 */
export class StrictJsonSocket extends JsonSocket {
  protected override emitMessage(data: string): void {
    const frame = readLinkFrame(data);
    if (frame === undefined) {
      super.emitMessage(data); // not JSON: Nest's own error, as before
      return;
    }
    if (frame.ok) {
      // What TcpSocket.emitMessage does after its JSON.parse, without parsing the frame again.
      this.netSocket.emit('message', frame.packet || {});
      return;
    }
    const id = packetId(frame.packet);
    if (id === undefined) return; // an event: nobody waits for an answer, and it is not handled
    const refusal = { id, err: frame.error, status: 'error', isDisposed: true };
    if (isRequestPacket(frame.packet)) this.sendMessage(refusal);
    else this.netSocket.emit('message', refusal);
  }
}
