import type { ServerResponse } from 'node:http';
import { drainedOf } from './socket-drain.util';

/**
 * Writes SSE frames to one client. A slow client is not waited for: a frame that would take what is queued for
 * the client past `maxPendingBytes` (while its socket has not drained what it was given) is not written; the
 * client is cut off instead, and resumes with its last event id. The cut destroys the socket, dropping what was
 * queued, since ending it gracefully would hold that queue for a client that does not read. Frames are bounded
 * by their writers (see delta-frame.util.ts), so a client holds at most the cap plus one frame. A writer that
 * paces itself with `drained` on a client that stays stalled for a whole heartbeat interval is cut off too.
 */
export class SseWriter {
  private closed = false;
  private heartbeat: NodeJS.Timeout | null = null;
  /** Bumped on each 'drain', so a heartbeat can tell a stalled socket from one that is slowly taking data. */
  private drains = 0;
  private stalledAtBeat: number | null = null;

  constructor(
    private readonly raw: ServerResponse,
    private readonly maxPendingBytes: number,
    private readonly onClose: () => void,
  ) {
    raw.on('close', () => this.close());
    raw.on('drain', () => (this.drains += 1));
  }

  open(heartbeatMs: number): void {
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    this.raw.flushHeaders();
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  event(name: string, id: string, data: unknown): void {
    this.write(`id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /**
   * A `data:` frame without an event name, as OpenAI's chunk streams and EventSource's `onmessage` clients expect;
   * with `id`, the client resumes from it (Last-Event-ID).
   */
  data(data: unknown, id?: string): void {
    this.write(`${id === undefined ? '' : `id: ${id}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  /** Resolves once the socket has taken what was queued (at once if it has), or when the stream closes. */
  drained(): Promise<void> {
    return this.closed ? Promise.resolve() : drainedOf(this.raw);
  }

  /** Ends the response and releases its timer; idempotent, and also run when the client goes away. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (!this.raw.writableEnded) this.raw.end();
    this.onClose();
  }

  /** Drops a client that does not read, and everything queued for it. */
  private cut(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.raw.destroy();
    this.onClose();
  }

  private write(frame: string): void {
    if (this.closed) return;
    const queued = this.raw.writableLength;
    if (queued > 0 && queued + Buffer.byteLength(frame) > this.maxPendingBytes) return this.cut();
    this.raw.write(frame);
  }

  /** A heartbeat, unless the socket has taken nothing since the last one while data waits: then a cut. */
  private beat(): void {
    if (!this.raw.writableNeedDrain) {
      this.stalledAtBeat = null;
      return this.write(':\n\n');
    }
    if (this.stalledAtBeat === this.drains) return this.cut();
    this.stalledAtBeat = this.drains;
  }
}
