import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export type AppName = 'gateway' | 'inference' | 'persistence' | 'notification' | 'streaming' | 'embedded';

/** Every child still running, so a runner that is interrupted does not leave services behind. */
const live = new Set<ChildProcess>();
let reaperInstalled = false;
function reapOnExit(): void {
  if (reaperInstalled) return;
  reaperInstalled = true;
  const killAll = () => live.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** A Conveyor service running as its own OS process, from the build output (`npm run build`). */
export class ServiceProcess {
  private output = '';
  private stdoutText = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (b: Buffer) => {
      this.output += b.toString();
      this.stdoutText += b.toString();
    });
    child.stderr!.on('data', (b: Buffer) => (this.output += b.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** `nodeArgs` go before the script (e.g. `--cpu-prof`, which NODE_OPTIONS may not carry). */
  static start(app: AppName, env: Record<string, string>, name: string = app, nodeArgs: readonly string[] = []): ServiceProcess {
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    reapOnExit();
    return new ServiceProcess(name, child);
  }

  /** stdout and stderr, interleaved as they arrived. */
  get logs(): string {
    return this.output;
  }

  /** stdout alone: where the service's log lines go. */
  get stdout(): string {
    return this.stdoutText;
  }

  /** Resolves when the process prints a line matching `pattern`; rejects if it exits or times out first. */
  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} in time:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const onData = () => resolve();
        this.child.stdout!.once('data', onData);
        setTimeout(() => {
          this.child.stdout!.off('data', onData);
          resolve();
        }, 100);
      });
    }
  }

  /** SIGKILL: no shutdown hooks, no acks — what a crash looks like to the broker. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for a graceful exit. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
