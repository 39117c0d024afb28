import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server (RabbitMQ here), which a test can cut and restore to make
 * the server look down to the client without touching the shared server itself.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** Each client socket and the upstream it is piped to. */
  private readonly pairs = new Map<Socket, Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(port, target);
    return proxy.open();
  }

  /** Accepts connections again, on the same port. */
  async open(): Promise<TcpProxy> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      this.pairs.set(client, upstream);
      client.once('close', () => this.pairs.delete(client));
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    (this as { port: number }).port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  /**
   * Stops passing what the clients send on, leaving every connection open: the server seems to hang (a publish
   * waits for a confirm that never comes), while what it sends still arrives.
   */
  stall(): void {
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      client.pause();
    }
  }

  /**
   * Stops passing what the server sends back, leaving every connection open: what the clients send still arrives
   * (a publish reaches the queue), but its confirm never comes back.
   */
  muteReplies(): void {
    for (const [client, upstream] of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  /** Drops every connection and refuses new ones: the server is "down". */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
