import type { INestApplication, INestMicroservice } from '@nestjs/common';
import type { ConveyorConfig } from '@conveyor/config';
import { JOB_STORE, startEmbeddedPostgres, type JobStore } from '@conveyor/database';
import { createBrokerClient, MessagePublisher, type ServiceRuntime } from '@conveyor/messaging';
import { startGateway } from '../../gateway/src/gateway.app';
import { startInference } from '../../inference/src/inference.app';
import { startNotification } from '../../notification/src/notification.app';
import { startPersistence } from '../../persistence/src/persistence.app';
import { startStreaming } from '../../streaming/src/streaming.app';
import { requeueUnfinishedJobs } from './job-recovery';

export interface EmbeddedSystem {
  url: string;
  /** The streaming service's own port (STREAMING_PORT): `GET /v1/jobs/{id}/stream`. */
  streamingUrl: string;
  broker: 'in-process' | 'rabbitmq';
  database: 'embedded' | 'postgresql';
  stop(): Promise<void>;
}

/**
 * Runs every service in this one process, over the same modules as the separate deployments: the in-process
 * broker and an embedded PostgreSQL (PGlite, same migrations) unless BROKER_URL / DATABASE_URL point at real ones.
 */
export async function launchEmbedded(config: ConveyorConfig): Promise<EmbeddedSystem> {
  const embeddedDb = config.database.url ? null : await startEmbeddedPostgres(config.database.embeddedDataDir);
  const databaseUrl = config.database.url ?? embeddedDb!.url;
  const broker = createBrokerClient(config, 'embedded');
  await broker.connect();
  // The apps of this process share one pool; on PGlite it is a single connection, which its socket server needs
  // (it interleaves the statements of concurrent connections). The gateway, started first, runs the migrations.
  const poolSize = embeddedDb ? 1 : config.database.poolSize;
  const shared = { ...config, database: { ...config.database, poolSize, shared: true } };
  const runtime: ServiceRuntime = { config: shared, broker, databaseUrl, ownsBroker: false };

  const apps: Array<INestApplication | INestMicroservice> = [];
  const gateway = await startGateway(runtime); // runs the migrations first
  apps.push(gateway);
  apps.push(await startPersistence({ ...runtime, config: { ...shared, database: { ...shared.database, migrate: false } } }));
  apps.push(await startNotification(runtime));
  apps.push(await startInference(runtime));
  const streaming = await startStreaming(runtime);
  apps.push(streaming);
  if (broker.kind === 'in-process') await requeueUnfinishedJobs(gateway.get<JobStore>(JOB_STORE), gateway.get(MessagePublisher));

  const address = await gateway.getUrl();
  const local = (url: string) => url.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  return {
    url: local(address),
    streamingUrl: local(await streaming.getUrl()),
    broker: broker.kind === 'amqp' ? 'rabbitmq' : 'in-process',
    database: embeddedDb ? 'embedded' : 'postgresql',
    stop: async () => {
      // Workers first, so nothing new starts; the gateway last, so polls keep answering while they drain.
      for (const app of apps.reverse()) await app.close();
      await broker.close();
      await embeddedDb?.stop();
    },
  };
}
