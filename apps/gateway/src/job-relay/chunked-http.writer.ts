import type { ServerResponse } from 'node:http';
import { drainedOf } from '@conveyor/stream';

/**
 * Writes a streamed HTTP answer that is not SSE (NDJSON lines, plain text) to one client, with SseWriter's rule
 * for slow clients: a write that would take what is queued for the client past `maxPendingBytes` cuts the
 * client off (its socket destroyed) instead of buffering without bound. Headers go out on `open`, or with the
 * first write.
 */
export class ChunkedHttpWriter {
  private closed = false;
  private opened = false;

  constructor(
    private readonly raw: ServerResponse,
    private readonly contentType: string,
    private readonly maxPendingBytes: number,
    private readonly onClose: () => void,
  ) {
    raw.on('close', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether the 200 and its headers have been sent (after which an error can only be said in the body). */
  get isOpen(): boolean {
    return this.opened;
  }

  open(): void {
    if (this.opened || this.closed) return;
    this.opened = true;
    this.raw.writeHead(200, { 'content-type': this.contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    this.raw.flushHeaders();
  }

  write(text: string): void {
    if (this.closed || text === '') return;
    this.open();
    const queued = this.raw.writableLength;
    if (queued > 0 && queued + Buffer.byteLength(text) > this.maxPendingBytes) return this.abort();
    this.raw.write(text);
  }

  /** Answers with another status and a whole JSON body instead; only before anything was sent. */
  fail(status: number, headers: Record<string, string>, body: unknown): void {
    if (this.opened || this.closed) return this.abort();
    this.opened = true;
    this.raw.writeHead(status, { ...headers, 'content-type': 'application/json' });
    this.raw.end(JSON.stringify(body));
    this.close();
  }

  drained(): Promise<void> {
    return this.closed ? Promise.resolve() : drainedOf(this.raw);
  }

  /** Ends the answer normally; idempotent, and also run when the client goes away. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.raw.writableEnded) {
      this.open();
      this.raw.end();
    }
    this.onClose();
  }

  /**
   * Ends the answer so the client sees it broken, not complete: the socket is destroyed before the last chunk,
   * so a client reading a chunked body gets an error rather than a text that silently stops short.
   */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.raw.destroy();
    this.onClose();
  }
}
