import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, openDataSource, recreateDatabase } from './database.util';
import { procStats, type ProcStats } from './proc-stats.util';
import { ServiceProcess, freePort, type AppName } from './service-process.util';
import { deleteVhost, recreateVhost } from './vhost.util';
import { runMigrations } from '@conveyor/database';

/** The services of the separate-processes deployment, as the cluster names their roles. */
export type Role = Exclude<AppName, 'embedded'>;

export interface ClusterSpec {
  /**
   * Names this cluster's RabbitMQ vhost and PostgreSQL database, `conveyor_<name>` with this process's id added
   * unless the name carries it already, so two runs never share them; both are created fresh and dropped by destroy.
   */
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
  /** A broker of its own (e.g. a private cluster's nodes): no vhost is made on the local RabbitMQ. */
  ownBroker?: string;
  databaseUrl?: (dbUrl: string) => string;
  /** Every service writes a V8 CPU profile into this folder when it exits (`node --cpu-prof`); BENCH_CPU_PROF by default. */
  cpuProfileDir?: string;
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
  /** Each launched service's ops listener (`/metrics`, `/health`), by its name (METRICS_PORT, a free port each). */
  readonly opsUrls = new Map<string, string>();
  private inferenceSeq = 0;
  private gatewaySeq = 0;
  private streamingSeq = 0;

  private constructor(
    readonly spec: ClusterSpec,
    readonly vhostBrokerUrl: string,
    readonly directDatabaseUrl: string,
    readonly env: Record<string, string>,
    readonly gatewayUrl: string,
    readonly streamingUrl: string,
  ) {}

  static async start(spec: ClusterSpec): Promise<Cluster> {
    const dbName = resourceName(spec.name);
    const [brokerUrl, dbUrl] = await Promise.all([spec.ownBroker ?? recreateVhost(dbName), recreateDatabase(dbName)]);
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
      // Benchmarks and fault scenarios hold hundreds of streams for one tenant: the per-tenant cap is not what they measure.
      STREAMS_PER_TENANT: '100000',
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

  /** Starts one more gateway replica, on a port of its own, and answers its base URL. */
  async addGateway(env: Record<string, string> = {}): Promise<string> {
    const port = await freePort();
    await this.launch('gateway', { PORT: String(port), ...env }, `gateway-${++this.gatewaySeq}`);
    return `http://127.0.0.1:${port}`;
  }

  /** Starts one more streaming replica, on a port of its own, and answers its base URL. */
  async addStreaming(env: Record<string, string> = {}): Promise<string> {
    const port = await freePort();
    await this.launch('streaming', { STREAMING_PORT: String(port), ...env }, `streaming-${++this.streamingSeq}`);
    return `http://127.0.0.1:${port}`;
  }

  /** Starts a service with the cluster's settings (plus `env`) and waits for its ready line. */
  async launch(role: Role, env: Record<string, string> = {}, name: string = role): Promise<ServiceProcess> {
    // BENCH_CPU_PROF=<dir>: every service writes a V8 CPU profile there when it exits (bench/profile-summary.ts reads them).
    const dir = this.spec.cpuProfileDir ?? process.env.BENCH_CPU_PROF;
    const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${this.spec.name}-${name}.cpuprofile`] : [];
    const metricsPort = await freePort();
    const service = ServiceProcess.start(role, { ...this.env, METRICS_PORT: String(metricsPort), ...env }, name, profile);
    this.services.push(service);
    this.opsUrls.set(name, `http://127.0.0.1:${metricsPort}`);
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
    const name = resourceName(this.spec.name);
    await Promise.all([this.spec.ownBroker ? null : deleteVhost(name), dropDatabase(name)]);
  }
}

/** The vhost and database name of a cluster: this run's own (see ClusterSpec.name). */
function resourceName(name: string): string {
  return name.includes(String(process.pid)) ? `conveyor_${name}` : `conveyor_${name}_${process.pid}`;
}
