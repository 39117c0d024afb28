import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChunkedHttpWriter } from './chunked-http.writer';

/** A real HTTP server whose one handler hands its response to `serve`, and a real client reading the answer. */
async function exchange(serve: (res: ServerResponse) => void): Promise<{ status: number; type?: string; body: string; error?: string }> {
  const server: Server = createServer((_req, res) => serve(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise((resolve) => {
      const req = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' }, (res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
        res.on('error', (err) => resolve({ status: res.statusCode!, body, error: err.message }));
      });
      req.end();
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('ChunkedHttpWriter', () => {
  it('streams the writes as one 200 answer, ended by close, and releases once', async () => {
    let released = 0;
    const answer = await exchange((res) => {
      const writer = new ChunkedHttpWriter(res, 'application/x-ndjson', 1 << 20, () => (released += 1));
      writer.write('{"a":1}\n');
      writer.write('{"b":2}\n');
      writer.close();
      writer.close();
    });
    expect(answer).toEqual({ status: 200, type: 'application/x-ndjson', body: '{"a":1}\n{"b":2}\n' });
    expect(released).toBe(1);
  });

  it('answers with another status and a JSON body when nothing was sent yet', async () => {
    const answer = await exchange((res) =>
      new ChunkedHttpWriter(res, 'text/plain', 1 << 20, () => undefined).fail(503, { 'retry-after': '2' }, { error: 'x' }),
    );
    expect(answer).toEqual({ status: 503, type: 'application/json', body: '{"error":"x"}' });
  });

  it('breaks an answer already under way, so the client sees it incomplete rather than whole', async () => {
    const answer = await exchange((res) => {
      const writer = new ChunkedHttpWriter(res, 'text/plain', 1 << 20, () => undefined);
      writer.write('partial text');
      setTimeout(() => writer.abort(), 50);
    });
    expect(answer.status).toBe(200);
    expect(answer.error).toBe('aborted');
  });
});
