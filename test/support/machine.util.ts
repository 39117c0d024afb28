import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { testServerUrl } from './database.util';

const run = promisify(execFile);

/** What the figures were measured on: they mean little without it. */
export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  rabbitmq: string;
  postgresql: string;
}

export async function describeMachine(): Promise<MachineInfo> {
  const rabbitmq = await run('rabbitmqctl', ['-q', 'version']).then(
    (r) => r.stdout.trim(),
    () => 'unknown',
  );
  const client = new Client({ connectionString: testServerUrl() });
  const postgresql = await client
    .connect()
    .then(() => client.query<{ server_version: string }>('SHOW server_version'))
    .then(
      (r) => r.rows[0]!.server_version,
      () => 'unknown',
    )
    .finally(() => client.end().catch(() => undefined));
  return {
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    rabbitmq,
    postgresql,
  };
}
