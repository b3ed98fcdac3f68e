import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { Controller, Logger, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { acknowledge, createLinkClient, linkServerOptions } from '#delivery';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from './support/rabbitmq.js';

/**
 * The agency link over the real RabbitMQ on this machine: a message or an answer that names a
 * member twice is refused as CONTRACT_INVALID (link-json.ts), never read last-wins.
 */
const PATTERN = 'agency.status.v1';
const handled: unknown[] = [];
const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 20 } };

@Controller()
class RecordingController {
  @MessagePattern(PATTERN)
  report(@Payload() payload: unknown, @Ctx() context: unknown): { eventId: unknown; duplicate: boolean } {
    handled.push(payload);
    acknowledge(context);
    return { eventId: (payload as { eventId?: unknown }).eventId, duplicate: false };
  }
}

@Module({ controllers: [RecordingController] })
class RecordingModule {}

describe('agency link transport (RabbitMQ): one reading of every message', () => {
  const requests = `cytb-it-link-${process.pid}-requests`;
  const answers = `cytb-it-link-${process.pid}-answers`;
  let available = false;
  let app: INestMicroservice;
  let connection: ChannelModel;
  let channel: Channel;

  /** Publishes exactly `json` as a request and waits for the one answer. */
  async function exchange(json: string): Promise<unknown> {
    const { queue: replyTo } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    const correlationId = randomUUID();
    const answer = new Promise<unknown>((resolve) => {
      void channel.consume(replyTo, (message) => {
        if (message?.properties.correlationId === correlationId) resolve(JSON.parse(message.content.toString()));
      }, { noAck: true });
    });
    channel.sendToQueue(requests, Buffer.from(json), { replyTo, correlationId, persistent: true });
    return answer;
  }

  beforeAll(async () => {
    available = await rabbitAvailable('agency link over RabbitMQ');
    if (!available) return;
    Logger.overrideLogger(false);
    app = await NestFactory.createMicroservice(RecordingModule, { ...linkServerOptions({ kind: 'rmq', url: RABBITMQ_URL, queue: requests }), logger: false });
    await app.listen();
    connection = await amqp.connect(RABBITMQ_URL);
    channel = await connection.createChannel();
  }, 30_000);

  afterAll(async () => {
    if (!available) return;
    await app.close();
    await connection.close();
    await deleteQueues([requests, answers]);
  });

  beforeEach(() => {
    handled.length = 0;
  });

  it('hands a well-formed request to its handler', async () => {
    if (!available) return;
    const answer = await exchange('{"pattern":"agency.status.v1","data":{"eventId":"SC.card:1","stage":"accepted"},"id":"r1"}');
    // On RabbitMQ the answer is matched by its correlation id, not by an id in the body.
    expect(answer).toMatchObject({ response: { eventId: 'SC.card:1', duplicate: false } });
    expect(handled).toEqual([{ eventId: 'SC.card:1', stage: 'accepted' }]);
  });

  it('answers a request naming a member twice with CONTRACT_INVALID and acknowledges it, without handling it', async () => {
    if (!available) return;
    const answer = await exchange('{"pattern":"agency.status.v1","data":{"eventId":"SC.card:2","stage":"rejected","stage":"completed"},"id":"r2"}');
    expect(answer).toEqual({
      status: 'error',
      isDisposed: true,
      err: { code: 'CONTRACT_INVALID', message: expect.stringContaining('twice'), permanent: true, fields: ['stage'] },
    });
    expect(handled).toEqual([]);
    // Acknowledged: nothing waits in the queue to be given to another consumer.
    expect((await channel.checkQueue(requests)).messageCount).toBe(0);
  });

  it('turns an answer naming a member twice into CONTRACT_INVALID for the caller', async () => {
    if (!available) return;
    // A peer on `answers` that acknowledges every request with `duplicate` named twice.
    await channel.assertQueue(answers, QUORUM);
    await channel.consume(answers, (message) => {
      if (message === null) return;
      const { id } = JSON.parse(message.content.toString()) as { id: string };
      const reply = `{"id":${JSON.stringify(id)},"response":{"eventId":"SC.card:9","duplicate":false,"duplicate":true},"isDisposed":true}`;
      channel.sendToQueue(message.properties.replyTo as string, Buffer.from(reply), { correlationId: message.properties.correlationId as string });
      channel.ack(message);
    });
    const client = createLinkClient({ kind: 'rmq', url: RABBITMQ_URL, queue: answers });
    try {
      await expect(firstValueFrom(client.send(PATTERN, { eventId: 'SC.card:9' }))).rejects.toMatchObject({
        code: 'CONTRACT_INVALID',
        fields: ['response.duplicate'],
      });
    } finally {
      await client.close();
    }
  }, 20_000);
});
