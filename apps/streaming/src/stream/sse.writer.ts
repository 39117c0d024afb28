import type { ServerResponse } from 'node:http';

/**
 * Writes SSE frames to one client. A slow client is not waited for: when the socket refuses more and what is
 * already queued passes `maxPendingBytes`, the response ends, and the client resumes with its last event id.
 */
export class SseWriter {
  private closed = false;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly raw: ServerResponse,
    private readonly maxPendingBytes: number,
    private readonly onClose: () => void,
  ) {
    raw.on('close', () => this.close());
  }

  open(heartbeatMs: number): void {
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    this.raw.flushHeaders();
    this.heartbeat = setInterval(() => this.write(':\n\n'), heartbeatMs);
    this.heartbeat.unref();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  event(name: string, id: string, data: unknown): void {
    this.write(`id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A bare `data:` frame, as OpenAI's chunk streams send them (no id, no event name). */
  data(data: unknown): void {
    this.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
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

  private write(frame: string): void {
    if (this.closed) return;
    const accepted = this.raw.write(frame);
    if (!accepted && this.raw.writableLength > this.maxPendingBytes) this.close();
  }
}
