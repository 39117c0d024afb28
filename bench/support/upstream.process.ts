import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../../test/support/service-process.util';
import { BenchProcess } from './bench-process.util';

const MAIN = join(__dirname, '..', 'upstream', 'mock-upstream.main.ts');

/** The bench upstream (bench/upstream) in a process of its own, so its CPU is neither Conveyor's nor the load generator's. */
export class UpstreamProcess {
  private constructor(
    private readonly proc: BenchProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<UpstreamProcess> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    return new UpstreamProcess(
      await BenchProcess.serving('bench-upstream', `${url}/stats`, process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, MAIN], {
        PORT: String(port),
      }),
      url,
    );
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}
