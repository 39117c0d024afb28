import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A helper process of a benchmark (a peer gateway, a bare baseline server): spawned with its output captured,
 * so a failed start shows why, and ended by its own pid only (SIGTERM, then SIGKILL after a grace period).
 */
export class BenchProcess {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static spawn(name: string, command: string, args: string[], env: Record<string, string> = {}): BenchProcess {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new BenchProcess(name, child);
  }

  /** Spawns a server and waits until `url` answers; a server that does not is stopped before the error is thrown. */
  static async serving(name: string, url: string, command: string, args: string[], env: Record<string, string> = {}): Promise<BenchProcess> {
    const proc = BenchProcess.spawn(name, command, args, env);
    try {
      await proc.waitForHttp(url);
    } catch (err) {
      await proc.stop();
      throw err;
    }
    return proc;
  }

  get logs(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls `url` until it answers at all (any status), or fails when the process dies or the time is up. */
  async waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before it listened:\n${this.output}`);
      const ok = await fetch(url).then(
        async (res) => (await res.arrayBuffer(), true),
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.name} did not answer ${url} in ${timeoutMs} ms:\n${this.output}`);
      await sleep(100);
    }
  }

  /** SIGTERM, and SIGKILL if it has not gone after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
