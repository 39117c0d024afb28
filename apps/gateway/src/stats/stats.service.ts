import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, ModelAccess, type CatalogGroup, type CatalogModel, type ConveyorConfig } from '@conveyor/config';
import { JOB_STATS_STORE, JOB_STORE, type JobStatsStore, type JobStore } from '@conveyor/database';
import { BROKER_CLIENT, type BrokerClient } from '@conveyor/messaging';
import { presentDeploymentState } from './deployment-state.presenter';
import type { FullHealthView, StatsView } from './stats-views.schema';

/** How far back `/health/full` looks at provider calls, and at most how many recent jobs it reads them from. */
const HEALTH_WINDOW_S = 900;
const HEALTH_JOB_LIMIT = 2_000;

/**
 * Seed 004's operator views, from what the gateway can actually read: the broker (queue depths and consumers, by a
 * passive declare), the database (jobs by status, busy workers, recent provider calls) and the catalogue. What it
 * cannot know is left out rather than guessed: each worker's cooldowns and rate windows live in that worker's
 * memory, provider keys in the workers' environment, and the gateway calls no upstream.
 */
@Injectable()
export class StatsService {
  private readonly access: ModelAccess;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(JOB_STATS_STORE) private readonly jobStats: JobStatsStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {
    this.access = new ModelAccess(config.models);
  }

  async stats(tenantId: string): Promise<StatsView> {
    const [queues, busy, jobs] = await Promise.all([
      this.broker.queueDepths().catch(() => null),
      this.jobStats.busyWorkers(),
      this.jobStats.countByStatus(tenantId),
    ]);
    return {
      broker: this.brokerView(),
      queues,
      workers: { consumers: queues ? Math.max(...Object.values(queues).map((q) => q.consumers)) : null, busy },
      jobs,
    };
  }

  async fullHealth(tenantId: string): Promise<FullHealthView> {
    const since = new Date(Date.now() - HEALTH_WINDOW_S * 1000);
    const [database, outcomes] = await Promise.all([
      this.jobs.ping().then(
        () => true,
        () => false,
      ),
      this.jobStats.deploymentOutcomes(since, HEALTH_JOB_LIMIT).catch(() => []),
    ]);
    const byDeployment = new Map(outcomes.map((o) => [o.deployment, o]));
    const { models, groups } = this.visibleTo(tenantId);
    const broker = this.brokerView();
    return {
      status: broker.ready && database ? 'ok' : 'degraded',
      broker,
      database: { ready: database },
      window_s: HEALTH_WINDOW_S,
      models: models.map((m) => ({ name: m.name, deployments: m.deployments.map((d) => presentDeploymentState(d, byDeployment.get(d.id))) })),
      groups: groups.map((g) => ({ name: g.name, models: g.models, fallback_groups: g.fallback_groups ?? [] })),
    };
  }

  private brokerView(): StatsView['broker'] {
    return { kind: this.broker.kind === 'amqp' ? 'rabbitmq' : 'in-process', ready: this.broker.isReady() };
  }

  /**
   * The models and groups the tenant may name, and the models its groups route through (a group is granted as a
   * whole, fallbacks included): a tenant sees no deployment it could not reach.
   */
  private visibleTo(tenantId: string): { models: CatalogModel[]; groups: CatalogGroup[] } {
    const { models, groups } = this.config.models;
    const groupsByName = new Map(groups.map((g) => [g.name, g]));
    const reachable = new Set<string>();
    const visit = (group: CatalogGroup, seen: Set<string>) => {
      if (seen.has(group.name)) return;
      seen.add(group.name);
      group.models.forEach((m) => reachable.add(m));
      for (const name of group.fallback_groups ?? []) {
        const fallback = groupsByName.get(name);
        if (fallback) visit(fallback, seen);
      }
    };
    const visibleGroups = groups.filter((g) => this.access.mayUse(tenantId, g.name));
    visibleGroups.forEach((g) => visit(g, new Set()));
    return { models: models.filter((m) => reachable.has(m.name) || this.access.mayUse(tenantId, m.name)), groups: visibleGroups };
  }
}
