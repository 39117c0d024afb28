/** amqplib's object form of a connection target: read afresh on every (re)connect attempt. */
export interface AmqpTarget {
  protocol: 'amqp' | 'amqps';
  hostname: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
  heartbeat: number;
  frameMax?: number;
  channelMax?: number;
  locale?: string;
}

/**
 * The broker addresses of one client (a cluster's nodes), and the one it tries now. amqplib's reconnect loop
 * reopens the target it was given, so the ring hands it one object and rewrites that object in place when the
 * client moves on to the next address: after a failed attempt, or a connection lost.
 */
export class AmqpAddressRing {
  /** The object amqplib connects to; always the current address. */
  readonly target: AmqpTarget;
  private index = 0;

  constructor(
    private readonly urls: readonly string[],
    private readonly heartbeatS: number,
  ) {
    if (urls.length === 0) throw new Error('no broker address');
    this.target = {} as AmqpTarget;
    this.load();
  }

  get size(): number {
    return this.urls.length;
  }

  /** The current address (with its password: mask it before logging). */
  get current(): string {
    return this.urls[this.index]!;
  }

  /** Moves to the next address, round the ring. */
  advance(): void {
    this.index = (this.index + 1) % this.urls.length;
    this.load();
  }

  private load(): void {
    const url = new URL(this.current);
    const query = url.searchParams;
    const number = (name: string) => (query.has(name) ? Number(query.get(name)) : undefined);
    Object.assign(this.target, {
      protocol: url.protocol === 'amqps:' ? 'amqps' : 'amqp',
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (url.protocol === 'amqps:' ? 5671 : 5672),
      // amqplib's string form defaults to guest/guest only when both are absent; so does the object form.
      username: decodeURIComponent(url.username) || (url.password ? '' : 'guest'),
      password: decodeURIComponent(url.password) || (url.username ? '' : 'guest'),
      // Still escaped, as amqplib unescapes it (as it does a URL's path).
      vhost: url.pathname.length > 1 ? url.pathname.slice(1) : '/',
      // The configured heartbeat wins over one in the URL.
      heartbeat: this.heartbeatS,
      frameMax: number('frameMax'),
      channelMax: number('channelMax'),
      locale: query.get('locale') ?? undefined,
    });
  }
}
