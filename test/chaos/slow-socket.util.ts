import { connect, type Socket } from 'node:net';

/**
 * A stream client that sends its request and then never reads: its socket is paused from the start, so the
 * kernel's buffers fill and the server is left holding whatever it keeps writing. `drain` later reads what the
 * server had queued for it, to show where it was cut off.
 */
export class SlowSocket {
  private constructor(private readonly socket: Socket) {}

  static open(baseUrl: string, path: string, key: string): Promise<SlowSocket> {
    const url = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.pause();
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${key}\r\nAccept: text/event-stream\r\n\r\n`);
        resolve(new SlowSocket(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Reads everything the server queued until it closes the connection (or `timeoutMs` passes). */
  drain(timeoutMs: number): Promise<{ bytes: number; closedByServer: boolean; text: string }> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const finish = (closedByServer: boolean) => {
        clearTimeout(timer);
        this.socket.destroy();
        const all = Buffer.concat(chunks);
        resolve({ bytes: all.length, closedByServer, text: all.toString('utf8') });
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.socket.on('data', (b: Buffer) => chunks.push(b));
      this.socket.once('end', () => finish(true));
      this.socket.once('close', () => finish(true));
      this.socket.resume();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}
