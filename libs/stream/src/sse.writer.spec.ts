import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { JobRecord } from '@conveyor/contracts';
import { JobStreamSession } from './job-stream.session';
import { SseWriter } from './sse.writer';
import { parseCursor } from './stream-event-id.util';

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

/**
 * A late subscriber of a large finished job: the session writes the stored result through the writer. A client
 * that never reads must be cut with at most the cap plus one bounded frame queued for it (not the whole result),
 * while a reading client gets the whole text, paced by its socket, without being cut.
 */
describe('SseWriter and JobStreamSession with a large stored result', () => {
  const CAP = 256 * 1024;
  const RESULT = 'y'.repeat(4 * 1024 * 1024);
  let server: Server;
  const sessions: Array<{ done: Promise<void>; maxQueued: () => number; cut: () => boolean }> = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = createServer((_req, res: ServerResponse) => {
      let closed = false;
      let maxQueued = 0;
      const writer = new SseWriter(res, CAP, () => (closed = true));
      writer.open(100); // a stalled socket is cut at the second heartbeat that finds it has taken nothing
      const sink = {
        get isClosed() {
          return writer.isClosed;
        },
        event(name: string, id: string, data: unknown) {
          writer.event(name, id, data);
          maxQueued = Math.max(maxQueued, res.writableLength);
        },
        close: () => writer.close(),
        drained: () => writer.drained(),
      };
      const store = { insertMany: async () => undefined, latestAttempt: async () => [] };
      const row = {
        status: 'completed',
        attempts: 1,
        error: null,
        partialResult: null,
        result: { message: { role: 'assistant', content: RESULT }, finish_reason: 'stop', usage: {} },
      } as unknown as JobRecord;
      const done = new JobStreamSession('j', parseCursor(undefined), store, sink).run(row);
      sessions.push({ done, maxQueued: () => maxQueued, cut: () => closed && res.destroyed });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const connect_ = async (read: boolean): Promise<{ text: () => string; ended: Promise<void> }> => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    sockets.push(socket);
    const parts: Buffer[] = [];
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    if (read) socket.on('data', (b: Buffer) => parts.push(b));
    else socket.pause();
    socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    const before = sessions.length;
    while (sessions.length === before) await new Promise((r) => setTimeout(r, 5));
    return { text: () => Buffer.concat(parts).toString('utf8'), ended };
  };

  it('cuts the stalled client at the cap plus one frame, and gives the reader the whole result', async () => {
    // The stalled client's session ends when the writer cuts it: awaited, not timed.
    await connect_(false);
    const stalled = sessions.at(-1)!;
    await stalled.done;
    expect(stalled.cut()).toBe(true);
    expect(stalled.maxQueued()).toBeLessThanOrEqual(CAP + 64 * 1024);

    const reader = await connect_(true);
    const fast = sessions.at(-1)!;
    await fast.done;
    expect(fast.cut()).toBe(false);
    // Close our end once the server's last frame is in; the body is chunked, so strip the chunk framing.
    const body = () => reader.text().replace(/\r\n[0-9a-f]+\r\n/g, '');
    while (!body().includes('event: completed')) await new Promise((r) => setTimeout(r, 5));
    const deltas = [...body().matchAll(/event: delta\ndata: (.*)\n\n/g)].map((m) => (JSON.parse(m[1]!) as { content: string }).content);
    expect(deltas.join('')).toBe(RESULT);
    expect(deltas.length).toBeGreaterThan(1);
  });
});
