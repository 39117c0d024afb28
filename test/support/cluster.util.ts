import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, openDataSource, recreateDatabase } from './database.util';
import { procStats, type ProcStats } from './proc-stats.util';
import { ServiceProcess, freePort, type AppName } from './service-process.util';
import { deleteVhost, recreateVhost } from './vhost.util';
import { runMigrations } from '../../libs/database/src/migrations.runner';

/** The services of the separate-processes deployment, as the cluster names their roles. */
export type Role = Exclude<AppName, 'embedded'>;

export interface ClusterSpec {
  /** Names this cluster's RabbitMQ vhost and PostgreSQL database (`conveyor_<name>`); both are created fresh. */
  name: string;
  /** Inference replicas to start (0 to start them later with addInference). */
  inference: number;
  /** Settings for every service (on top of the cluster's broker, database, ports and keys). */
  env?: Record<string, string>;
  /** Settings for the inference replicas only. */
  inferenceEnv?: Record<string, string>;
  /** Start the streaming and notification services too (default true). */
  streaming?: boolean;
  notification?: boolean;
  /** A model catalogue (the MODEL_CATALOG_FILE JSON); the simulated model only if absent. */
  catalog?: unknown;
  /** Connect the services through these instead of straight to the vhost/database (a TCP proxy for faults). */
  brokerUrl?: (vhostUrl: string) => string;
  databaseUrl?: (dbUrl: string) => string;
}

/** The API keys every cluster accepts: two tenants, as the seeds have. */
export const CLUSTER_KEYS = { alice: 'tok-alice-bench', bob: 'tok-bob-bench' } as const;

const READY = /listening on|running \d+ job|consuming/;

/**
 * A whole Conveyor deployment as separate OS processes (gateway, persistence, notification, streaming and N
 * inference replicas, from the build output) over the real RabbitMQ and PostgreSQL, in a vhost and database
 * of its own. Benchmarks and the fault suite drive it; `stop` ends the processes, `destroy` drops the data.
 */
export class Cluster {
  readonly services: ServiceProcess[] = [];
  private inferenceSeq = 0;

  private constructor(
    readonly spec: ClusterSpec,
    readonly vhostBrokerUrl: string,
    readonly directDatabaseUrl: string,
    readonly env: Record<string, string>,
    readonly gatewayUrl: string,
    readonly streamingUrl: string,
  ) {}

  static async start(spec: ClusterSpec): Promise<Cluster> {
    const dbName = `conveyor_${spec.name}`;
    const [brokerUrl, dbUrl] = await Promise.all([recreateVhost(dbName), recreateDatabase(dbName)]);
    const dataSource = await openDataSource(dbUrl, 1);
    await runMigrations(dataSource).finally(() => dataSource.destroy());
    const [port, streamingPort] = [await freePort(), await freePort()];
    const catalogFile = join(mkdtempSync(join(tmpdir(), 'conveyor-cluster-')), 'models.json');
    if (spec.catalog) writeFileSync(catalogFile, JSON.stringify(spec.catalog));
    const env: Record<string, string> = {
      BROKER_URL: spec.brokerUrl ? spec.brokerUrl(brokerUrl) : brokerUrl,
      DATABASE_URL: spec.databaseUrl ? spec.databaseUrl(dbUrl) : dbUrl,
      DATABASE_MIGRATE: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      STREAMING_PORT: String(streamingPort),
      API_KEYS: `${CLUSTER_KEYS.alice}:tenant-alice,${CLUSTER_KEYS.bob}:tenant-bob`,
      ...(spec.catalog ? { MODEL_CATALOG_FILE: catalogFile } : {}),
      ...spec.env,
    };
    const cluster = new Cluster(spec, brokerUrl, dbUrl, env, `http://127.0.0.1:${port}`, `http://127.0.0.1:${streamingPort}`);
    try {
      await Promise.all([
        cluster.launch('persistence'),
        spec.notification === false ? null : cluster.launch('notification'),
        spec.streaming === false ? null : cluster.launch('streaming'),
      ]);
      await cluster.launch('gateway');
      for (let i = 0; i < spec.inference; i++) await cluster.addInference();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Starts one more inference replica and waits until it takes work. */
  addInference(env: Record<string, string> = {}): Promise<ServiceProcess> {
    const n = this.inferenceSeq++;
    return this.launch('inference', { WORKER_ID: `${this.spec.name}-inference-${n}`, ...this.spec.inferenceEnv, ...env }, `inference-${n}`);
  }

  /** Starts a service with the cluster's settings (plus `env`) and waits for its ready line. */
  async launch(role: Role, env: Record<string, string> = {}, name: string = role): Promise<ServiceProcess> {
    // BENCH_CPU_PROF=<dir>: every service writes a V8 CPU profile there when it exits (bench/profile-summary.ts reads them).
    const dir = process.env.BENCH_CPU_PROF;
    const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${this.spec.name}-${name}.cpuprofile`] : [];
    const service = ServiceProcess.start(role, { ...this.env, ...env }, name, profile);
    this.services.push(service);
    await service.waitForLog(READY, 60_000);
    return service;
  }

  /** The running processes of a role (inference replicas in start order). */
  running(role: Role): ServiceProcess[] {
    return this.services.filter((s) => (s.name === role || s.name.startsWith(`${role}-`)) && s.child.exitCode === null && s.child.signalCode === null);
  }

  /** CPU and memory of every running service, by name. */
  async stats(): Promise<Record<string, ProcStats>> {
    const out: Record<string, ProcStats> = {};
    for (const s of this.services) {
      const stats = s.child.pid ? await procStats(s.child.pid) : null;
      if (stats) out[s.name] = stats;
    }
    return out;
  }

  /** Ends every process (SIGTERM, then SIGKILL after 10 s). */
  async stop(): Promise<void> {
    await Promise.all(
      this.services.map(async (s) => {
        const timer = setTimeout(() => void s.kill(), 10_000);
        await s.stop();
        clearTimeout(timer);
      }),
    );
  }

  /** Stops the processes and drops the cluster's vhost and database. */
  async destroy(): Promise<void> {
    await this.stop();
    const name = `conveyor_${this.spec.name}`;
    await Promise.all([deleteVhost(name), dropDatabase(name)]);
  }
}
