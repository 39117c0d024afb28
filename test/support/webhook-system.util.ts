import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@conveyor/config';
import { InProcessBrokerClient, MessagePublisher } from '@conveyor/messaging';
import { startGateway } from '../../apps/gateway/src/gateway.app';
import { startNotification } from '../../apps/notification/src/notification.app';
import { Api } from './http.util';

/**
 * The gateway and the notification service over one in-process broker and the test database: webhooks are
 * registered and jobs submitted through real HTTP, and terminal events travel through the notification
 * service's real transport. No worker runs: the test publishes each job's terminal event, as a worker would.
 */
export class WebhookSystem {
  private constructor(
    private readonly broker: InProcessBrokerClient,
    private readonly gateway: NestFastifyApplication,
    private readonly notification: INestMicroservice,
    readonly baseUrl: string,
  ) {}

  static async start(env: Record<string, string>): Promise<WebhookSystem> {
    const config = loadConfig({
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      PORT: '0',
      STREAMING_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.WEBHOOK_TEST_LOG_LEVEL ?? 'error',
      DATABASE_POOL_SIZE: '3',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      ...env,
    });
    const broker = new InProcessBrokerClient({ maxDeliveries: config.broker.maxDeliveries });
    await broker.connect();
    const runtime = { config, broker, databaseUrl: config.database.url!, ownsBroker: false };
    const gateway = await startGateway(runtime);
    const notification = await startNotification({ ...runtime, config: { ...config, database: { ...config.database, migrate: false } } });
    return new WebhookSystem(broker, gateway, notification, (await gateway.getUrl()).replace('[::1]', '127.0.0.1'));
  }

  api(key: string): Api {
    return new Api(this.baseUrl, key);
  }

  /** Publishes the job's `job.completed`, as the worker that ran it would. */
  async complete(jobId: string, tenantId: string, content = 'Hi there.'): Promise<void> {
    const at = new Date().toISOString();
    await this.gateway.get(MessagePublisher).publish('job.completed', {
      job_id: jobId,
      tenant_id: tenantId,
      attempt: 1,
      worker_id: 'test-worker',
      started_at: at,
      completed_at: at,
      result: {
        message: { role: 'assistant', content },
        finish_reason: 'stop',
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        provider: 'simulated',
        model: 'simulated',
      },
    });
  }

  async stop(): Promise<void> {
    await this.notification.close();
    await this.gateway.close();
    await this.broker.close();
  }
}
