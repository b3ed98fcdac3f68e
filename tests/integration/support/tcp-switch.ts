import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of a server (here: PostgreSQL) that a test can cut and restore, so that
 * one node loses its database while the shared server keeps running for everyone else. Cut:
 * every open connection is reset and new ones are refused (the port stops listening), as when
 * the database host goes away. Loopback only.
 *
 * @example const door = await TcpSwitch.open(5432); const url = `postgres://postgres@127.0.0.1:${door.port}/db`; await door.cut();
 */
export class TcpSwitch {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  private constructor(private readonly target: { readonly host: string; readonly port: number }) {}

  static async open(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpSwitch> {
    const relay = new TcpSwitch({ host: targetHost, port: targetPort });
    await relay.restore();
    return relay;
  }

  /** Listens again (on the same port once it had one) and relays new connections. */
  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  /** Resets every relayed connection and stops listening: connects are refused until `restore`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
