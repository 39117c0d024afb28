import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { SseWriter } from './sse.writer';

/**
 * Real sockets on loopback: a client that stops reading must be cut off once its queue passes the cap, without
 * holding up a client that keeps reading.
 */
describe('SseWriter with a slow client', () => {
  let server: Server;
  const writers: Array<{ writer: SseWriter; closed: () => boolean }> = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = createServer((_req, res: ServerResponse) => {
      let closed = false;
      const writer = new SseWriter(res, 256 * 1024, () => (closed = true));
      writer.open(60_000);
      writers.push({ writer, closed: () => closed });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const open = async (read: boolean): Promise<{ received: () => number }> => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    sockets.push(socket);
    let bytes = 0;
    if (read) socket.on('data', (b: Buffer) => (bytes += b.length));
    else socket.pause(); // the slow client: never reads, so the kernel buffers fill and the server's queue grows
    socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    const before = writers.length;
    while (writers.length === before) await new Promise((r) => setTimeout(r, 5));
    return { received: () => bytes };
  };

  it('ends the stalled client once its queue passes the cap, and keeps serving the reader', async () => {
    const slow = await open(false);
    const fast = await open(true);
    const [stalled, reader] = writers;
    const chunk = 'x'.repeat(16 * 1024);
    let sent = 0;
    for (let i = 0; i < 4096 && !stalled!.closed(); i += 1) {
      stalled!.writer.event('delta', `a1:${i}`, { content: chunk });
      reader!.writer.event('delta', `a1:${i}`, { content: chunk });
      sent += chunk.length;
      await new Promise((r) => setTimeout(r, 1)); // the reader drains between frames, as a live client would
    }
    expect(stalled!.closed()).toBe(true);
    expect(stalled!.writer.isClosed).toBe(true);
    expect(slow.received()).toBe(0);
    expect(reader!.closed()).toBe(false);
    while (fast.received() < sent) await new Promise((r) => setTimeout(r, 5));
    expect(fast.received()).toBeGreaterThanOrEqual(sent);
  });
});
