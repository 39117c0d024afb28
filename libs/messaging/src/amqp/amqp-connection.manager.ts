import type { Socket } from 'node:net';
import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import { parseBrokerUrls } from '@conveyor/config';
import { AmqpAddressRing } from './amqp-address.ring';
import { batchFrameWrites } from './amqp-frame-batching';
import { BrokerUnavailableError } from '../broker-unavailable.exception';

export interface AmqpLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface AmqpConnectionOptions {
  /** One address, or a cluster's nodes separated by commas: tried in order, the next one whenever one fails. */
  url: string;
  heartbeatS: number;
  reconnectMs: number;
  connectionName: string;
  logger: AmqpLogger;
  /** Runs on every new connection before it counts as connected (topology, publisher channel); a failure drops that connection. */
  setup(model: ChannelModel): Promise<void>;
  /** Runs once each connection is up, to re-open what lives on channels (consumers). */
  onConnected(model: ChannelModel): void;
}

/** Bounds the TCP + AMQP handshake, so a black-holed broker cannot stall the reconnect loop. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** During a long outage, one line per this many failed attempts (plus the first) is enough. */
const LOG_EVERY_FAILED_ATTEMPTS = 60;

const UNPARSEABLE = '<unparseable broker URL>';

/** The URL with its password replaced, safe to log. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return UNPARSEABLE;
  }
}

/**
 * Owns the one AMQP connection of a client. amqplib's own recovery does the reconnect loop (forever once
 * connected); this class adds the heartbeat, several broker addresses (a failed attempt or a lost connection moves
 * to the next at once; `reconnectMs` passes only once every address was tried), the blocked/unblocked state of a
 * broker under a memory or disk alarm, and the hooks that rebuild channels.
 */
export class AmqpConnectionManager {
  private recovering: RecoveringChannelModel | null = null;
  private model: ChannelModel | null = null;
  private blocked = false;
  private starting: Promise<void> | null = null;
  private closed = false;
  private failedAttempts = 0;
  /** Addresses tried in a row without a connection: a whole round of them earns a pause. */
  private triedInRound = 0;
  private readonly addresses: AmqpAddressRing;

  constructor(private readonly options: AmqpConnectionOptions) {
    // Node's URL error carries the input, password included: fail here with a message that does not.
    const urls = parseBrokerUrls(options.url);
    if (!urls) throw new Error('the broker URL is not a valid amqp:// or amqps:// URL (or comma-separated list of them)');
    this.addresses = new AmqpAddressRing(urls, options.heartbeatS);
  }

  /** The live connection, or null while (re)connecting. */
  get current(): ChannelModel | null {
    return this.model;
  }

  /** True while the broker refuses publishes because of a resource alarm. */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Opens the first connection; rejects if the broker cannot be reached now (no retry before the first success). */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new BrokerUnavailableError('broker client is closed', 'closed'));
    this.starting ??= this.open().catch((err: unknown) => {
      this.starting = null;
      throw err;
    });
    return this.starting;
  }

  async close(): Promise<void> {
    this.closed = true;
    const recovering = this.recovering;
    this.recovering = null;
    this.model = null;
    await recovering?.close();
  }

  /** Destroys the socket as a network failure would (tests and chaos drills): the reconnect loop takes over. */
  dropSocket(): void {
    const connection = this.model?.connection as unknown as { stream?: Socket } | undefined;
    connection?.stream?.destroy(new Error('socket dropped on purpose'));
  }

  private async open(): Promise<void> {
    const { logger, reconnectMs } = this.options;
    const target = () => maskUrl(this.addresses.current);
    this.triedInRound = 0;
    const recovering = await connect(this.addresses.target, {
      timeout: HANDSHAKE_TIMEOUT_MS,
      // Without it Nagle's algorithm holds each small RPC (a basic.get, an ack) ~40 ms behind the last one.
      noDelay: true,
      clientProperties: { connection_name: this.options.connectionName },
      recovery: {
        waitForConnect: false,
        // The first start tries every address once (a caller that waits for the broker tries again).
        initialMaxRetries: this.addresses.size - 1,
        calculateDelay: () => (this.triedInRound % this.addresses.size === 0 ? reconnectMs : 0),
        setup: (model: ChannelModel) => this.options.setup(model),
      },
    });
    this.recovering = recovering;
    if (this.closed) {
      await this.close();
      throw new BrokerUnavailableError('broker client was closed while connecting', 'closed');
    }
    recovering.on('connect', (model: ChannelModel) => {
      if (!batchFrameWrites(model)) logger.warn('amqplib internals differ from what batchFrameWrites expects: frames are written one by one');
      this.model = model;
      this.blocked = false;
      this.failedAttempts = 0;
      this.triedInRound = 0;
      logger.log(`connected to ${target()} as ${this.options.connectionName}`);
      this.options.onConnected(model);
    });
    recovering.on('disconnect', (err: Error) => {
      this.model = null;
      this.blocked = false;
      const lost = target();
      // Another node of a cluster is tried at once; the same one again only after a round.
      this.moveOn();
      const next = this.addresses.size > 1 ? `; trying ${target()}` : `; reconnecting every ${reconnectMs} ms`;
      logger.warn(`connection to ${lost} lost (${err.message})${next}`);
    });
    recovering.on('connect-failed', (err: Error) => {
      this.failedAttempts += 1;
      const failed = target();
      this.moveOn();
      // Each address's first failure in a row, then one line now and then.
      if (this.failedAttempts > this.addresses.size && this.failedAttempts % LOG_EVERY_FAILED_ATTEMPTS !== 1) return;
      logger.warn(`could not connect to ${failed} (attempt ${this.failedAttempts}): ${err.message}`);
    });
    recovering.on('blocked', (reason: string) => {
      this.blocked = true;
      logger.warn(`broker blocked publishing (${reason})`);
    });
    recovering.on('unblocked', () => {
      this.blocked = false;
      logger.log('broker unblocked publishing');
    });
    recovering.on('error', (err: Error) => logger.warn(`connection error: ${err.message}`));
    try {
      await recovering.waitForConnect();
    } catch (err) {
      this.recovering = null;
      await recovering.close();
      const reason = this.closed ? 'closed' : 'disconnected';
      throw new BrokerUnavailableError(`cannot connect to ${this.addresses.size > 1 ? 'any broker address' : target()}: ${(err as Error).message}`, reason);
    }
  }

  /** The next address, for the next attempt (amqplib reads the target afresh each time). */
  private moveOn(): void {
    this.triedInRound += 1;
    this.addresses.advance();
  }
}
