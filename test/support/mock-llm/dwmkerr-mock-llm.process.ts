import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The published `@dwmkerr/mock-llm` OpenAI-compatible server, run as its own `mock-llm` CLI in a child process —
 * an upstream not written here, so the OpenAI adapter is checked against someone else's reading of the protocol.
 * The CLI takes its port from `PORT` and its rules from `--config <yaml>`; it cannot report a port it chose
 * itself (with PORT=0 it prints 0), so a free port is found first.
 */
export class DwmkerrMockLlm {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(configYaml: string): Promise<DwmkerrMockLlm> {
    const dir = mkdtempSync(join(tmpdir(), 'mock-llm-'));
    const config = join(dir, 'mock-llm.yaml');
    writeFileSync(config, configYaml);
    const port = await freePort();
    const cli = require.resolve('@dwmkerr/mock-llm/dist/main.js');
    const child = spawn(process.execPath, [cli, '--config', config], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (data: Buffer) => {
        output += data.toString();
        if (output.includes('server running on')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`mock-llm exited with ${code} before listening:\n${output}`)));
    });
    return new DwmkerrMockLlm(child, dir, `http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
