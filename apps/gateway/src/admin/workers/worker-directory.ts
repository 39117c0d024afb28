import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { allOfType, type WorkerHeartbeat } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, listenerOf, type BrokerClient, type Subscription } from '@conveyor/messaging';

/** A worker is forgotten after this many of its own heartbeat intervals without one. */
const MISSED_BEATS = 3;
/** Past this many known workers, each heartbeat also prunes the silent ones. */
const PRUNE_ABOVE = 256;

export interface KnownWorker {
  heartbeat: WorkerHeartbeat;
  lastSeenAt: Date;
}

/**
 * The inference workers this gateway replica has heard from: each worker's last heartbeat (slots, running jobs), kept
 * in memory, and dropped once it has been silent for three of its beats (stopped, killed or cut off from the broker).
 */
@Injectable()
export class WorkerDirectory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerDirectory.name);
  private readonly workers = new Map<string, KnownWorker>();
  private subscription: Subscription | null = null;

  constructor(@Inject(BROKER_CLIENT) private readonly broker: BrokerClient) {}

  async onApplicationBootstrap(): Promise<void> {
    const listener = listenerOf({ 'worker.heartbeat': (beat) => this.heard(beat) }, this.logger, this.broker.kind);
    this.subscription = await this.broker.listen(Exchanges.events, allOfType('worker.heartbeat'), listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.cancel().catch(() => undefined);
  }

  heard(heartbeat: WorkerHeartbeat, now = new Date()): void {
    this.workers.set(heartbeat.worker_id, { heartbeat, lastSeenAt: now });
    // Workers come and go under autoscaling: forget the silent ones even when nobody asks for the list.
    if (this.workers.size > PRUNE_ABOVE) this.prune(now.getTime());
  }

  /** The workers heard from recently, by id. */
  live(now = Date.now()): KnownWorker[] {
    this.prune(now);
    return [...this.workers.values()].sort((a, b) => a.heartbeat.worker_id.localeCompare(b.heartbeat.worker_id));
  }

  private prune(now: number): void {
    for (const [id, worker] of this.workers) {
      if (now - worker.lastSeenAt.getTime() > MISSED_BEATS * worker.heartbeat.interval_ms) this.workers.delete(id);
    }
  }
}
