import type { ConveyorConfig } from '@conveyor/config';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { startEmbeddedPostgres } from '@conveyor/embedded-postgres';
import { startService } from '@conveyor/bootstrap';
import { createBrokerClient, MessagePublisher, topologyOf } from '@conveyor/messaging';
import type { PinoNestLogger } from '@conveyor/telemetry';
import { GatewayModule } from '../../gateway/src/gateway.module';
import { InferenceModule } from '../../inference/src/inference.module';
import { NotificationModule } from '../../notification/src/notification.module';
import { PersistenceModule } from '../../persistence/src/persistence.module';
import { requeueUnfinishedJobs } from './job-recovery';

export interface EmbeddedSystem {
  /** The one HTTP address: every public route, job streams included. */
  url: string;
  broker: 'in-process' | 'rabbitmq';
  database: 'embedded' | 'postgresql';
  stop(): Promise<void>;
}

/**
 * Runs every service as one app in this one process, over the same feature modules as the separate deployments:
 * the in-process broker and an embedded PostgreSQL (PGlite, same migrations) unless BROKER_URL / DATABASE_URL
 * point at real ones. The gateway serves job streams itself, so the streaming service has nothing to add here.
 */
export async function launchEmbedded(config: ConveyorConfig, logger?: PinoNestLogger): Promise<EmbeddedSystem> {
  const embeddedDb = config.database.url ? null : await startEmbeddedPostgres(config.database.embeddedDataDir);
  const broker = createBrokerClient(config, 'embedded');
  try {
    // PGlite's socket server interleaves the statements of concurrent connections: there it must be a pool of one.
    const database = { url: config.database.url ?? embeddedDb!.url, ...(embeddedDb && { poolSize: 1 }) };
    const service = await startService({
      services: ['gateway', 'persistence', 'notification', 'inference'],
      config,
      broker,
      database,
      features: [GatewayModule, PersistenceModule, NotificationModule, InferenceModule],
      logger,
    });
    if (broker.kind === 'in-process')
      await requeueUnfinishedJobs(
        service.app.get<JobStore>(JOB_STORE, { strict: false }),
        service.app.get(MessagePublisher),
        topologyOf(config),
        config.jobQueues.tenantWeights,
      );
    return {
      url: service.url!.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost'),
      broker: broker.kind === 'amqp' ? 'rabbitmq' : 'in-process',
      database: embeddedDb ? 'embedded' : 'postgresql',
      stop: async () => {
        await service.stop();
        await embeddedDb?.stop();
      },
    };
  } catch (err) {
    await broker.close().catch(() => undefined);
    await embeddedDb?.stop();
    throw err;
  }
}
