import { RmqContext } from '@nestjs/microservices';
import { StrictServerRMQ } from './strict-rmq.js';

/**
 * A reply published while the server closes (a replica stopping with a status report in hand):
 * amqp-connection-manager rejects every unconfirmed publish with "Channel closed". Nest does not
 * await the publish, so the rejection had no handler and ended the process (and failed the
 * production-mode replica test under load). The reply is lost either way; the adapter, which gets
 * no answer, sends the report again and the gateway records it once.
 */
describe('StrictServerRMQ replies', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => process.off('unhandledRejection', onUnhandled));

  const serverWith = (channel: unknown) => {
    const server = new StrictServerRMQ({ urls: ['amqp://127.0.0.1:1'], queue: 'q' });
    (server as unknown as { channel: unknown }).channel = channel;
    return server;
  };
  const context = new RmqContext([{}, {}, 'pattern']);

  it('publishes the reply to the reply queue under its correlation id', () => {
    const sent: { queue: string; body: string; options: unknown }[] = [];
    const server = serverWith({
      sendToQueue: (queue: string, body: Buffer, options: unknown) => {
        sent.push({ queue, body: body.toString(), options });
        return Promise.resolve(true);
      },
    });
    server.sendMessage({ id: '1', response: { ok: true }, isDisposed: true }, 'reply-q', 'corr-1', context);
    expect(sent).toEqual([{ queue: 'reply-q', body: JSON.stringify({ id: '1', response: { ok: true }, isDisposed: true }), options: { correlationId: 'corr-1' } }]);
  });

  it('does not leave a rejected publish unhandled when the channel closes under it', async () => {
    const server = serverWith({ sendToQueue: () => Promise.reject(new Error('Channel closed')) });
    server.sendMessage({ id: '1', response: { ok: true }, isDisposed: true }, 'reply-q', 'corr-1', context);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });

  it('drops the reply when the channel is already gone', () => {
    const server = serverWith(null);
    expect(() => server.sendMessage({ id: '1', response: {}, isDisposed: true }, 'reply-q', 'corr-1', context)).not.toThrow();
  });
});
