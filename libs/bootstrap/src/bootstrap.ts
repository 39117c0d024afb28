import { Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type ConveyorConfig } from '@conveyor/config';
import { PostgresClient, probeDatabase, type DatabaseModuleOptions } from '@conveyor/database';
import { acceptJsonBodiesOnly, createFastifyAdapter, hardenHttp } from '@conveyor/http';
import { createBrokerClient, createTransport, type BrokerClient, type BrokerTransport } from '@conveyor/messaging';
import { instrumentHttp, MetricsRegistry, startOpsServer, watchDependencies, type DependencyProbes, type OpsServer } from '@conveyor/metrics';
import type { PinoNestLogger } from '@conveyor/telemetry';
import { waitForDependencies } from './dependency.waiter';
import { useLeanAsyncBind } from './lean-async-bind';
import { logStartFailure, useServiceLogger } from './service-logger';
import { SERVICE_PROFILES, type ServiceName } from './service-profiles';
import { ServiceRootModule } from './service-root.module';
import { StartingServer } from './starting.server';

export interface ServiceSpec {
  /** The services this process runs: one for a deployment, all of them for the embedded mode. */
  services: readonly ServiceName[];
  config: ConveyorConfig;
  broker: BrokerClient;
  /** Where the one pool of the process connects, and (embedded) its size. */
  database: { url: string; poolSize?: number };
  /** The feature modules, composed under one root. */
  features: Array<Type<unknown>>;
  /** The process's logger (useServiceLogger); one named after the service(s) when absent. */
  logger?: PinoNestLogger;
}

export interface RunningService {
  app: NestFastifyApplication;
  /** The HTTP address, or null for a service that only consumes messages. */
  url: string | null;
  /** The ops listener's address (`/metrics`, `/health`), or null when METRICS_PORT is unset. */
  opsUrl: string | null;
  /** Stops consuming (in-flight messages finish or go back), then closes the app, its broker client and its pool. */
  stop(): Promise<void>;
}

/**
 * Starts one app for the given services: one Nest application whose root holds the config, the broker client and
 * the database pool, the features beneath it, one transport per consumer group the services run, and an HTTP
 * listener when one of them serves HTTP. A deployment runs one service per process; the embedded mode runs all
 * five in one app, over the same modules, so nothing is threaded through the libs to tell the two apart.
 *
 * A broker or database that does not answer yet does not fail the start: the service waits for both (a back-off
 * from 0.5 s doubling to 15 s, each wait logged), its HTTP port meanwhile answering 503 with what is missing.
 */
export async function startService(spec: ServiceSpec): Promise<RunningService> {
  useLeanAsyncBind();
  const { config, broker } = spec;
  const profiles = spec.services.map((name) => SERVICE_PROFILES[name]);
  const http = profiles.find((p) => p.http)?.http?.(config);
  const database: DatabaseModuleOptions = {
    ...profiles[0]!.database(config, spec.database.url),
    ...(spec.database.poolSize && { poolSize: spec.database.poolSize }),
  };
  const metrics = new MetricsRegistry();
  const root = ServiceRootModule.forRoot({ config, broker, database, metrics, features: spec.features });
  const logger = spec.logger ?? useServiceLogger(spec.services.length === 1 ? spec.services[0]! : 'embedded', config);
  const starting = http ? await StartingServer.open(http.host, http.port) : null;
  let app: NestFastifyApplication;
  let transports: BrokerTransport[];
  let probes: DependencyProbes;
  try {
    await waitForDependencies(
      [
        { name: 'broker', check: () => broker.connect() },
        { name: 'database', check: () => probeDatabase(spec.database.url) },
      ],
      logger,
      (missing) => starting?.report(missing),
    );
    app = await NestFactory.create<NestFastifyApplication>(root, createFastifyAdapter(config.http), { logger, bodyParser: false });
    acceptJsonBodiesOnly(app);
    const db = app.get(PostgresClient);
    probes = { brokerReady: () => broker.isReady(), pingDatabase: () => db.rows('SELECT 1') };
    watchDependencies(metrics, probes);
    if (http) {
      await hardenHttp(app, config.http);
      instrumentHttp(app.getHttpAdapter().getInstance(), metrics);
    }
    transports = profiles.flatMap((p) => p.consumers(config)).map((c) => createTransport(broker, c.config, c.group, c.concurrency));
    for (const strategy of transports) app.connectMicroservice({ strategy });
    // The lifecycle hooks run before any consumer starts: Nest starts connected consumers without running them, and
    // a worker must know the jobs that ended before they ran (its tombstones, loaded at bootstrap) before it takes one.
    await app.init();
    await app.startAllMicroservices();
  } finally {
    // Everything but the listener is up: the placeholder hands the port over.
    await starting?.close();
  }
  if (http) await app.listen(http.port, http.host);
  let ops: OpsServer | null = null;
  if (config.metrics.port !== null) {
    try {
      ops = await startOpsServer({ host: config.http.host, port: config.metrics.port, metrics, probes });
    } catch (err) {
      await Promise.all(transports.map((t) => t.close()));
      await app.close();
      throw err;
    }
  }
  let stopping: Promise<void> | null = null;
  return {
    app,
    url: http ? await app.getUrl() : null,
    opsUrl: ops?.url ?? null,
    stop: () =>
      (stopping ??= (async () => {
        // Consumers first, so nothing new starts while the rest shuts down; then the ops listener and the app's own shutdown hooks.
        await Promise.all(transports.map((t) => t.close()));
        await ops?.close();
        await app.close();
      })()),
  };
}

/**
 * A service's whole `main`: validated settings (every problem listed in one record, then exit 1), its logger,
 * broker client and pool, the app, the ready line (written whatever LOG_LEVEL says: supervisors and the tests wait
 * for it), and a graceful stop on SIGTERM or SIGINT.
 */
export function runService(name: ServiceName, feature: Type<unknown>): void {
  let logger: PinoNestLogger | undefined;
  const start = async () => {
    const config = loadConfig(process.env, { require: ['broker', 'database'] });
    logger = useServiceLogger(name, config);
    const broker = createBrokerClient(config, name);
    const service = await startService({ services: [name], config, broker, database: { url: config.database.url! }, features: [feature], logger });
    stopOnSignals(service);
    if (service.opsUrl) logger.log(`ops listener (/metrics, /health) on ${service.opsUrl}`, 'Bootstrap');
    logger.announce(SERVICE_PROFILES[name].ready(config, service.url), 'Bootstrap');
  };
  start().catch((err: unknown) => {
    logStartFailure(logger ?? useServiceLogger(name), err);
    process.exit(1);
  });
}

/** SIGTERM or SIGINT: stop gracefully (workers finish or hand back their jobs), then exit. */
export function stopOnSignals(service: Pick<RunningService, 'stop'>): void {
  const logger = new Logger('Shutdown');
  const stop = (signal: string) => {
    logger.log(`${signal}: stopping`);
    service.stop().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error(`stopping failed: ${err.message}`, err.stack);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
