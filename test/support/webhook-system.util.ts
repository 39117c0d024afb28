import { startService, type RunningService } from '@conveyor/bootstrap';
import { loadConfig } from '@conveyor/config';
import { createBrokerClient, MessagePublisher } from '@conveyor/messaging';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { NotificationModule } from '../../apps/notification/src/notification.module';
import { PersistenceModule } from '../../apps/persistence/src/persistence.module';
import { Api } from './http.util';
import { deleteVhost, recreateVhost, runVhostName } from './vhost.util';

/**
 * The gateway, persistence and notification services in one process over the real RabbitMQ (a vhost of this run's
 * own, named by `label`) and the test database: webhooks are registered and jobs submitted through real HTTP; no
 * worker runs: the test publishes each job's outcome, as a worker would, and persistence writes it and announces
 * the terminal event the notification service fans out.
 */
export class WebhookSystem {
  private constructor(
    private readonly service: RunningService,
    private readonly vhost: string,
    readonly baseUrl: string,
  ) {}

  static async start(label: string, env: Record<string, string>): Promise<WebhookSystem> {
    const vhost = runVhostName(label);
    const config = loadConfig({
      BROKER_URL: await recreateVhost(vhost),
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      PORT: '0',
      STREAMING_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.WEBHOOK_TEST_LOG_LEVEL ?? 'error',
      DATABASE_POOL_SIZE: '3',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      ...env,
    });
    const broker = createBrokerClient(config, `webhook-test-${label}`);
    const service = await startService({
      services: ['gateway', 'persistence', 'notification'],
      config,
      broker,
      database: { url: config.database.url! },
      features: [GatewayModule, PersistenceModule, NotificationModule],
    });
    return new WebhookSystem(service, vhost, service.url!.replace('[::1]', '127.0.0.1'));
  }

  api(key: string): Api {
    return new Api(this.baseUrl, key);
  }

  /** Publishes the job's completion as the worker that ran it would: a `job.outcome` for persistence. */
  async complete(jobId: string, tenantId: string, content = 'Hi there.'): Promise<void> {
    const at = new Date().toISOString();
    await this.service.app.get(MessagePublisher).publish('job.outcome', {
      type: 'job.completed',
      event: {
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
      },
    });
  }

  async stop(): Promise<void> {
    await this.service.stop();
    await deleteVhost(this.vhost);
  }
}
