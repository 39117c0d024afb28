import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../../test/support/service-process.util';
import { BenchProcess } from './bench-process.util';

/** The bare Fastify 202 baseline (fastify-baseline.main.ts) as its own process on a free port. */
export class FastifyBaseline {
  static readonly key = 'bench';

  private constructor(
    private readonly proc: BenchProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<FastifyBaseline> {
    const port = await freePort();
    const main = join(__dirname, 'fastify-baseline.main.ts');
    const tsx = pathToFileURL(require.resolve('tsx')).href; // resolved here, so the child's cwd does not matter
    // tsx only compiles the file at load; the server then runs as plain JavaScript, like the gateway's build.
    const url = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), BASELINE_KEY: FastifyBaseline.key };
    return new FastifyBaseline(await BenchProcess.serving('fastify-baseline', `${url}/`, process.execPath, ['--import', tsx, main], env), url);
  }

  get pid(): number | undefined {
    return this.proc.child.pid;
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}
