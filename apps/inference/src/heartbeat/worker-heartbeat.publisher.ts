import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import type { WorkerHeartbeat } from '@conveyor/contracts';
import { MessagePublisher } from '@conveyor/messaging';
import { CancellationRegistry } from '../cancellation/cancellation.registry';

/**
 * Broadcasts this worker's heartbeat every WORKER_HEARTBEAT_MS: its id, its slots (WORKER_CONCURRENCY) and the jobs
 * it runs, for the admin API's workers list. Transient and unconfirmed: a lost beat is made good by the next one, and a
 * beat the broker cannot take is skipped, never queued.
 */
@Injectable()
export class WorkerHeartbeatPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeatPublisher.name);
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly publisher: MessagePublisher,
    private readonly running: CancellationRegistry,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.beat(), this.config.worker.heartbeatMs);
    this.timer.unref();
    void this.beat();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  heartbeat(): WorkerHeartbeat {
    const { id, concurrency, heartbeatMs } = this.config.worker;
    return {
      worker_id: id,
      slots: concurrency,
      jobs: this.running.runningJobs().map((j) => ({ job_id: j.jobId, tenant_id: j.tenantId, started_at: j.startedAt.toISOString() })),
      started_at: this.startedAt,
      sent_at: new Date().toISOString(),
      interval_ms: heartbeatMs,
    };
  }

  private async beat(): Promise<void> {
    if (!this.publisher.isReady()) return;
    await this.publisher.publish('worker.heartbeat', this.heartbeat()).catch((err: Error) => this.logger.debug(`heartbeat not sent: ${err.message}`));
  }
}
