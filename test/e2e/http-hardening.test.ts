import { Api } from '../support/http.util';
import { parseRawResponse, rawExchange, trickle } from '../support/raw-http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { deleteVhost, recreateVhost, runVhostName } from '../support/vhost.util';

const KEY = 'tok-e2e-hardening';
const VHOST = runVhostName('e2e_hardening');
const LIMITS = { headersMs: 1_000, bodyMs: 1_500, keepAliveMs: 1_000, requestMs: 2_500 };
/** Node checks its connections against the limits every quarter of the headers limit (at most 1 s): the granularity. */
const SLACK_MS = 1_500;

/**
 * The HTTP edge of a real gateway process, over the real RabbitMQ (a vhost of its own) and PostgreSQL, driven by
 * real clients: bare TCP sockets for slow and malformed requests, fetch for the rest. No worker runs, so a job
 * stays queued: a synchronous answer waits, and a stream stays open, as long as the limits let them.
 */
describe('HTTP edge hardening (a gateway process over RabbitMQ and PostgreSQL)', () => {
  let gateway: ServiceProcess;
  let port: number;
  let api: Api;

  beforeAll(async () => {
    const brokerUrl = await recreateVhost(VHOST);
    port = await freePort();
    gateway = ServiceProcess.start('gateway', {
      BROKER_URL: brokerUrl,
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      DATABASE_MIGRATE: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      API_KEYS: `${KEY}:tenant-e2e-hardening`,
      HTTP_HEADERS_TIMEOUT_MS: String(LIMITS.headersMs),
      HTTP_BODY_TIMEOUT_MS: String(LIMITS.bodyMs),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(LIMITS.keepAliveMs),
      HTTP_REQUEST_TIMEOUT_MS: String(LIMITS.requestMs),
      STREAM_HEARTBEAT_MS: '500',
      CORS_ORIGINS: 'https://app.example.com',
    });
    await gateway.waitForLog(/listening on/, 60_000);
    api = new Api(`http://127.0.0.1:${port}`, KEY);
  });

  /** Streams a test opened: closed after each test, whether it passed or not. */
  const opened: AbortController[] = [];
  afterEach(() => opened.splice(0).forEach((c) => c.abort()));

  afterAll(async () => {
    const timer = setTimeout(() => void gateway?.kill(), 10_000);
    await gateway?.stop();
    clearTimeout(timer);
    await deleteVhost(VHOST);
  });

  const expectCutWithin = (closedAfterMs: number | null, limitMs: number) => {
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(limitMs - 100);
    expect(closedAfterMs!).toBeLessThan(limitMs + SLACK_MS);
  };

  describe('time limits', () => {
    it('cuts a client without an API key that declares a body and trickles it, with a 408 in OpenAI shape', async () => {
      const { response, closedAfterMs } = await rawExchange(
        port,
        (socket) => {
          socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
          trickle(socket, 300);
        },
        10_000,
      );
      expectCutWithin(closedAfterMs, LIMITS.bodyMs);
      const answer = parseRawResponse(response);
      expect(answer.status).toBe(408);
      expect(answer.body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'request_timeout' } });
    });

    it('cuts a client that trickles its headers', async () => {
      const { response, closedAfterMs } = await rawExchange(
        port,
        (socket) => {
          socket.write('GET /v1/jobs HTTP/1.1\r\nHost: x\r\nX-Slow: ');
          trickle(socket, 200, 'a');
        },
        10_000,
      );
      expectCutWithin(closedAfterMs, LIMITS.headersMs);
      expect(parseRawResponse(response).status).toBe(408);
    });

    it('closes a kept-alive connection that stays idle after its request', async () => {
      const { response, closedAfterMs } = await rawExchange(port, (socket) => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'), 10_000);
      expect(parseRawResponse(response).status).toBe(200);
      expectCutWithin(closedAfterMs, LIMITS.keepAliveMs);
    });

    it('answers a non-streaming request not answered in time with 408 (a synchronous wait on a queued job)', async () => {
      const started = Date.now();
      const res = await api.post('/openai/v1/chat/completions', { messages: [{ role: 'user', content: 'nobody runs me' }] });
      expect(res.status).toBe(408);
      expect(res.body.error).toMatchObject({ code: 'request_timeout', type: 'invalid_request_error' });
      expect(Date.now() - started).toBeLessThan(LIMITS.requestMs + SLACK_MS);
    });

    it('exempts a stream once it started: it outlives the whole-request limit', async () => {
      const job = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'queued forever' }] });
      expect(job.status).toBe(202);
      const controller = new AbortController();
      opened.push(controller);
      const res = await fetch(`${api.baseUrl}/v1/jobs/${job.body.job_id}/stream`, { headers: { authorization: `Bearer ${KEY}` }, signal: controller.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const deadline = Date.now() + LIMITS.requestMs + SLACK_MS;
      let received = 0;
      while (Date.now() < deadline) {
        const { done, value } = await reader.read();
        expect(done).toBe(false); // the heartbeats keep coming; the stream is not cut
        received += value?.length ?? 0;
      }
      expect(received).toBeGreaterThan(0);
      controller.abort();
    });
  });

  describe("the framework's own errors, in OpenAI's shape and without echoing the input", () => {
    it.each([
      ['an over-long path parameter', `/v1/jobs/${'a'.repeat(10_000)}`, 414, 'uri_too_long'],
      ['a malformed percent-encoding', '/v1/jobs/%E0%A4%A', 400, 'invalid_url'],
      ['an unknown route', '/v2/nothing', 404, 'not_found'],
    ])('%s', async (_label, path, status, code) => {
      const res = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
      const text = await res.text();
      expect(res.status).toBe(status);
      expect(text.length).toBeLessThan(300);
      expect(JSON.parse(text)).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code } });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it.each([
      ['headers over the limit', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'request_headers_too_large'],
      ['a malformed request line', 'NOT AN HTTP REQUEST\r\n\r\n', 400, 'invalid_request'],
    ])('%s, at the socket level', async (_label, request, status, code) => {
      const { response } = await rawExchange(port, (socket) => socket.write(request), 5_000);
      const answer = parseRawResponse(response);
      expect(answer.status).toBe(status);
      expect(response.length).toBeLessThan(600);
      expect(answer.body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code } });
    });

    // On a socket: the gateway answers 413 from the declared length and closes, and a client still writing the
    // rest of the body (as fetch would) may see EPIPE before it reads the answer.
    it('a body over the limit, answered from its declared length', async () => {
      const declared = 2 * 1_048_576;
      const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`;
      const { response } = await rawExchange(port, (socket) => socket.write(head + '{"x":"' + 'a'.repeat(1_000)), 5_000);
      const answer = parseRawResponse(response);
      expect(answer.status).toBe(413);
      expect(answer.body.error).toMatchObject({ code: 'payload_too_large', type: 'invalid_request_error' });
    });

    it.each([
      ['an unsupported media type', { 'content-type': 'text/plain' }, 'hello', 415, 'unsupported_media_type'],
      ['malformed JSON', { 'content-type': 'application/json' }, '{"messages": [', 400, 'invalid_json'],
    ])('%s', async (_label, headers, body, status, code) => {
      const res = await api.request('POST', '/v1/chat/completions', body, headers);
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({ code });
    });
  });

  describe('security headers and CORS', () => {
    it('sends the security headers and no-store on API answers, JSON and streams alike', async () => {
      const job = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'headers' }] });
      for (const res of [job, await api.get(`/v1/jobs/${job.body.job_id}`), await api.get('/v1/usage'), await api.get('/v1/webhooks')]) {
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('strict-transport-security')).toBeNull();
      }
      const controller = new AbortController();
      opened.push(controller);
      const stream = await fetch(`${api.baseUrl}/v1/jobs/${job.body.job_id}/stream`, {
        headers: { authorization: `Bearer ${KEY}`, origin: 'https://app.example.com' },
        signal: controller.signal,
      });
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(stream.headers.get('x-content-type-options')).toBe('nosniff');
      expect(stream.headers.get('cache-control')).toBe('no-store');
      expect(stream.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      controller.abort();
    });

    it('answers a preflight from an allowed origin, and gives a foreign origin nothing to go on', async () => {
      const preflight = (origin: string) =>
        fetch(`${api.baseUrl}/v1/chat/completions`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
        });
      const allowed = await preflight('https://app.example.com');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      const foreign = await preflight('https://evil.example.com');
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await api.get('/v1/jobs', { origin: 'https://evil.example.com' });
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('text the database cannot store', () => {
    const content = (text: string) => ({ messages: [{ role: 'user', content: text }] });
    it.each([
      ['a NUL in message content', content('a\u0000b'), 'messages[0].content'],
      ['a lone surrogate in a text part', { messages: [{ role: 'user', content: [{ type: 'text', text: 'x\uD800' }] }] }, 'messages[0].content[0].text'],
      ['a NUL in metadata', { ...content('hi'), metadata: { ticket: 'a\u0000' } }, 'metadata.ticket'],
      ['a NUL in user', { ...content('hi'), user: 'u\u0000' }, 'user'],
      [
        'a lone surrogate in a tool description',
        { ...content('hi'), tools: [{ type: 'function', function: { name: 'f', description: '\uDC00' } }] },
        'tools[0].function.description',
      ],
      [
        'a NUL in a tool call argument',
        { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '\u0000' } }] }] },
        'messages[0].tool_calls[0].function.arguments',
      ],
    ])('%s is a 400 naming the field, not an outage', async (_label, body, param) => {
      const res = await api.post('/v1/chat/completions', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('retry-after')).toBeNull();
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', param });
    });

    it('a NUL in a webhook description is a 400 naming description', async () => {
      const res = await api.post('/v1/webhooks', { url: 'https://hooks.example.com/x', description: 'd\u0000' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', param: 'description' });
    });

    it('logged no error for any of them', () => {
      expect(gateway.logs).not.toMatch(/ERROR|database_unavailable|invalid byte sequence|unsupported Unicode/);
    });
  });
});
