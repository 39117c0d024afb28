import { connect, type Socket } from 'node:net';

/** What a raw exchange came to: everything the server sent, and when it closed the connection (null: still open). */
export interface RawExchange {
  response: string;
  closedAfterMs: number | null;
}

/**
 * A client on a bare TCP socket, for what fetch cannot do: send a request slowly, or malformed, and watch whether
 * and when the server cuts the connection. `drive` writes to the socket; the exchange ends when the server closes
 * or after `waitMs`, whichever comes first.
 */
export function rawExchange(port: number, drive: (socket: Socket) => void, waitMs: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closedAfterMs: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: Buffer.concat(chunks).toString('latin1'), closedAfterMs });
    };
    const timer = setTimeout(() => finish(null), waitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => finish(Date.now() - started));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? finish(Date.now() - started) : reject(err)));
    socket.on('connect', () => drive(socket));
  });
}

/** Writes `byte` every `everyMs` until the socket closes: a client that trickles its request. */
export function trickle(socket: Socket, everyMs: number, byte = ' '): void {
  const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(byte)), everyMs);
  socket.once('close', () => clearInterval(timer));
}

/** The status line and JSON body of a raw HTTP/1.1 response (Content-Length framed). */
export function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: any } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const text = rest.join('\r\n\r\n');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
