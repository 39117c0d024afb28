import { request, createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientGoneSignal } from './client-gone.util';

/** A real server: the signal of each request, observed after its connection closed. */
async function withServer(handle: (res: ServerResponse, signal: AbortSignal) => void, client: (port: number) => Promise<void>): Promise<AbortSignal> {
  let seen!: AbortSignal;
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const server = createServer((_req, res) => {
    seen = clientGoneSignal(res);
    res.once('close', () => setImmediate(closed));
    handle(res, seen);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await client((server.address() as AddressInfo).port);
    await done;
    return seen;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('clientGoneSignal', () => {
  it('does not abort once the answer was sent', async () => {
    const signal = await withServer(
      (res) => res.end('ok'),
      (port) =>
        new Promise((resolve, reject) =>
          request({ port, host: '127.0.0.1' }, (res) => res.resume().once('end', resolve))
            .once('error', reject)
            .end(),
        ),
    );
    expect(signal.aborted).toBe(false);
  });

  it('aborts when the client leaves before the answer', async () => {
    const signal = await withServer(
      () => undefined,
      (port) =>
        new Promise((resolve) => {
          const req = request({ port, host: '127.0.0.1' });
          req.once('error', () => resolve());
          req.end();
          setTimeout(() => req.destroy(), 50);
        }),
    );
    expect(signal.aborted).toBe(true);
  });
});
