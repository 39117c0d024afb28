import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { hostname } from 'node:os';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { uuidv7 } from '@conveyor/contracts';
import { TENANT_QUOTA_STORE, WriteBatcher, type StreamLease, type TenantQuotaStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { MetricsRegistry, watchOpenStreams } from '@conveyor/metrics';

/** Retry-After of a refused stream: streams end with their jobs, usually within seconds. */
const RETRY_AFTER_S = 5;
/** Leases claimed at once in one transaction: many clients opening streams together wait for one, not each. */
const MAX_CLAIMS_PER_BATCH = 500;

/**
 * The cap on concurrent streams (SSE) per tenant, across every replica: each open stream holds a lease row in
 * PostgreSQL, which this replica renews every third of the lease's TTL while the stream lasts and deletes when it
 * ends. A replica that dies stops renewing, and its leases expire within one TTL, freeing the tenant's slots.
 * Claims made together (a burst of clients) are taken together: the tenant's lock is queued for once per batch.
 */
@Injectable()
export class StreamLeases implements OnModuleDestroy {
  private readonly logger = new Logger(StreamLeases.name);
  private readonly held = new Set<string>();
  private readonly holder = `${hostname()}-${process.pid}`;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly claims: WriteBatcher<StreamLease, boolean>;

  constructor(
    @Inject(TENANT_QUOTA_STORE) private readonly quotas: TenantQuotaStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    metrics: MetricsRegistry,
  ) {
    // Every stream of this process holds a lease: their count is `conveyor_open_streams`, read on scrape.
    watchOpenStreams(metrics, () => this.held.size);
    this.claims = new WriteBatcher((leases) => this.quotas.acquireStreamLeases(leases, this.config.streaming.perTenant), {
      maxBatch: MAX_CLAIMS_PER_BATCH,
      maxInFlight: 2,
    });
  }

  /** Takes one of the tenant's stream slots, or throws a 429. Answers the release (idempotent, never throws). */
  async acquire(tenantId: string): Promise<() => Promise<void>> {
    const { perTenant, leaseTtlMs } = this.config.streaming;
    const id = uuidv7();
    if (!(await this.claims.write({ id, tenantId, holder: this.holder, ttlMs: leaseTtlMs }))) {
      throw new ConveyorException(
        ErrorCode.RateLimited,
        `Too many concurrent streams: at most ${perTenant} per account. Close one, or try again shortly.`,
        null,
        RETRY_AFTER_S,
      );
    }
    this.held.add(id);
    this.startHeartbeat(leaseTtlMs);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      this.held.delete(id);
      await this.quotas.releaseStreamLeases([id]).catch((err: Error) => this.logger.warn(`stream lease not released (it expires): ${err.message}`));
    };
  }

  /** Streams this replica holds leases for. */
  get count(): number {
    return this.held.size;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const ids = [...this.held];
    this.held.clear();
    await this.quotas.releaseStreamLeases(ids).catch(() => undefined);
  }

  private startHeartbeat(ttlMs: number): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(
      () => {
        if (this.held.size === 0) return;
        this.quotas.renewStreamLeases([...this.held], ttlMs).catch((err: Error) => this.logger.warn(`stream leases not renewed: ${err.message}`));
      },
      Math.floor(ttlMs / 3),
    );
    this.heartbeat.unref();
  }
}
