import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The bench upstream (bench/upstream) in a process of its own, so its CPU is neither Conveyor's nor the load generator's. */
export class UpstreamProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<UpstreamProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'upstream', 'mock-upstream.main.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.once('exit', (code) => reject(new Error(`bench upstream exited (${code}) before listening`)));
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const match = /listening on (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
    });
    return new UpstreamProcess(child, url);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
