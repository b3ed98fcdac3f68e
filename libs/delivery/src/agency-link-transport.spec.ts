import { connect, createServer, type Server, type Socket } from 'node:net';
import { Controller, Logger, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { freePort } from '../../../tests/e2e/support/free-port.js';
import { createLinkClient, linkServerOptions } from './agency-link-transport.js';

const PATTERN = 'agency.status.v1';
const handled: unknown[] = [];

@Controller()
class RecordingController {
  @MessagePattern(PATTERN)
  report(@Payload() payload: unknown): { eventId: unknown; duplicate: boolean } {
    handled.push(payload);
    return { eventId: (payload as { eventId?: unknown }).eventId, duplicate: false };
  }
}

@Module({ controllers: [RecordingController] })
class RecordingModule {}

/** Writes one frame as Nest's TCP framing does (`<length>#<json>`), exactly these characters. */
function frame(json: string): string {
  return `${json.length}#${json}`;
}

/** Sends one raw frame and reads the one frame answered. */
async function exchange(port: number, json: string): Promise<unknown> {
  const socket = connect(port, '127.0.0.1');
  try {
    return await new Promise((resolve, reject) => {
      let buffer = '';
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        buffer += chunk.toString('utf8');
        const hash = buffer.indexOf('#');
        const length = Number(buffer.slice(0, hash));
        if (hash > 0 && buffer.length - hash - 1 >= length) resolve(JSON.parse(buffer.slice(hash + 1, hash + 1 + length)));
      });
      socket.write(frame(json));
    });
  } finally {
    socket.destroy();
  }
}

describe('agency link transport (TCP): one reading of every frame', () => {
  let app: INestMicroservice;
  let port: number;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    port = await freePort();
    app = await NestFactory.createMicroservice(RecordingModule, { ...linkServerOptions({ kind: 'tcp', host: '127.0.0.1', port }), logger: false });
    await app.listen();
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    handled.length = 0;
  });

  it('hands a well-formed request to its handler', async () => {
    const answer = await exchange(port, '{"pattern":"agency.status.v1","data":{"eventId":"SC.card:1","stage":"accepted"},"id":"r1"}');
    expect(answer).toMatchObject({ id: 'r1', response: { eventId: 'SC.card:1', duplicate: false } });
    expect(handled).toEqual([{ eventId: 'SC.card:1', stage: 'accepted' }]);
  });

  it('answers a request naming a member twice with CONTRACT_INVALID, naming the field, without handling it', async () => {
    const answer = await exchange(port, '{"pattern":"agency.status.v1","data":{"eventId":"SC.card:2","stage":"rejected","stage":"completed"},"id":"r2"}');
    expect(answer).toEqual({
      id: 'r2',
      status: 'error',
      isDisposed: true,
      err: { code: 'CONTRACT_INVALID', message: expect.stringContaining('twice'), permanent: true, fields: ['stage'] },
    });
    expect(handled).toEqual([]);
  });

  it('names where a repetition deep in a batch is, and refuses one in the packet itself', async () => {
    const batch = '{"pattern":"agency.status.v1","data":{"items":[{"eventId":"a"},{"eventId":"b","detail":{"waybill":"1","waybill":"2"}}]},"id":"r3"}';
    expect(await exchange(port, batch)).toMatchObject({ id: 'r3', err: { code: 'CONTRACT_INVALID', fields: ['items[1].detail.waybill'] } });
    const twoPatterns = '{"pattern":"agency.deliver.v1","pattern":"agency.status.v1","data":{"eventId":"c"},"id":"r4"}';
    expect(await exchange(port, twoPatterns)).toMatchObject({ id: 'r4', err: { code: 'CONTRACT_INVALID', fields: ['pattern'] } });
    expect(handled).toEqual([]);
  });

  describe('answers', () => {
    let peer: Server;
    let peerPort: number;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      // A peer that answers every request with an acknowledgement naming `duplicate` twice.
      peer = createServer((socket) => {
        sockets.push(socket);
        socket.on('data', (chunk) => {
          const text = chunk.toString('utf8');
          const id = (JSON.parse(text.slice(text.indexOf('#') + 1)) as { id: string }).id;
          socket.write(frame(`{"id":${JSON.stringify(id)},"response":{"eventId":"SC.card:9","duplicate":false,"duplicate":true},"isDisposed":true}`));
        });
      });
      peerPort = await freePort();
      await new Promise<void>((resolve) => peer.listen(peerPort, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => peer.close(resolve));
    });

    it('turns an answer naming a member twice into CONTRACT_INVALID for the caller', async () => {
      const client = createLinkClient({ kind: 'tcp', host: '127.0.0.1', port: peerPort });
      try {
        await expect(firstValueFrom(client.send(PATTERN, { eventId: 'SC.card:9' }))).rejects.toMatchObject({
          code: 'CONTRACT_INVALID',
          permanent: true,
          fields: ['response.duplicate'],
        });
      } finally {
        await client.close();
      }
    });
  });
});
