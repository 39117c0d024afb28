import { join } from 'node:path';
import { freePort } from '../../test/support/service-process.util';
import { BenchProcess } from './bench-process.util';

const START_SERVER = join(__dirname, '..', '..', 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');

/**
 * Portkey 1.15.2 on Node 20 with @hono/node-server 1.19 answers every `stream: true` request with a 500
 * ("TypeError: immutable", Portkey issues #1389 and #1550): its node server swaps the global Response for one that
 * keeps the upstream fetch answer's immutable headers, which Portkey then appends to. This preload (run before
 * Portkey's code, via `--import data:`) re-wraps each fetch answer in a real Response with its own Headers, as
 * Portkey's proposed fix (#1551) does; it costs one small object per upstream call, on both modes alike.
 */
const FETCH_HEADERS_FIX = [
  'const RealResponse = globalThis.Response, realFetch = globalThis.fetch;',
  'globalThis.fetch = async (...args) => {',
  '  const r = await realFetch(...args);',
  '  return new RealResponse(r.body, { status: r.status, statusText: r.statusText, headers: new Headers(r.headers) });',
  '};',
].join('\n');

/**
 * Portkey's stream transform sleeps 25 ms (`setTimeout(e, 25)` in build/start-server.js, its SSE splitter) before it
 * relays the first upstream chunk: a deliberate wait, not forwarding cost, that would flatter any gateway compared
 * with it. The bench's copy runs with that one delay taken to 0 (no other timer in its request path is 25 ms), so
 * its time to first token is a fair baseline.
 */
const FIRST_CHUNK_WAIT_PATCH = [
  'const realSetTimeout = globalThis.setTimeout;',
  'globalThis.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, ms === 25 ? 0 : ms, ...args);',
].join('\n');

/**
 * The Portkey AI gateway (`@portkey-ai/gateway`, a devDependency) as its own process: the peer a proxying LLM
 * gateway is compared against. It takes `--port=<n>` (the `=` form only) and `--headless` (no UI routes); it runs
 * with NODE_ENV=production, as one would deploy it.
 */
export class PortkeyGateway {
  private constructor(
    private readonly proc: BenchProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<PortkeyGateway> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const preload = `data:text/javascript,${encodeURIComponent(`${FETCH_HEADERS_FIX}\n${FIRST_CHUNK_WAIT_PATCH}`)}`;
    const args = ['--import', preload, START_SERVER, `--port=${port}`, '--headless'];
    return new PortkeyGateway(await BenchProcess.serving('portkey', `${url}/`, process.execPath, args, { NODE_ENV: 'production' }), url);
  }

  /** The endpoint and headers that make Portkey proxy an OpenAI-compatible `upstreamBaseUrl` (…/v1). */
  route(upstreamBaseUrl: string): { url: string; headers: Record<string, string> } {
    return {
      url: `${this.url}/v1/chat/completions`,
      headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamBaseUrl, authorization: 'Bearer x' },
    };
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}
