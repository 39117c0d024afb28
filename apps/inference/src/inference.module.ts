import { Module } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { DatabaseModule, JOB_STORE, TENANT_SETTINGS_STORE } from '@conveyor/database';
import { CancelRequestsListener } from './cancellation/cancel-requests.listener';
import { CancellationRegistry } from './cancellation/cancellation.registry';
import { TombstoneListener } from './cancellation/tombstone.listener';
import { TombstoneRegistry } from './cancellation/tombstone.registry';
import { WorkerHeartbeatPublisher } from './heartbeat/worker-heartbeat.publisher';
import { JobRequestedHandler } from './job-requested.handler';
import { JobRunner } from './job-runner.service';
import { StartedHereRegistry } from './republish/started-here.registry';
import { ModelRouter } from './routing/model-router.service';
import { ProviderFactory } from './routing/provider.factory';
import { JobWatchListener } from './streaming/job-watch.listener';
import { WatchedJobs } from './streaming/watched-jobs.registry';
import { TenantKeysListener } from './tenant-keys/tenant-keys.listener';
import { TenantProviderKeys } from './tenant-keys/tenant-provider-keys.service';

/**
 * The inference worker: jobs from the priority bands, run against the model catalogue's providers, and a heartbeat
 * with its slots and running jobs. The provider factory reads every deployment's key while the app starts, so a
 * missing key stops start-up with its name; a tenant's own key (`/v1/settings`) is read sealed from PostgreSQL when
 * its job runs (TenantProviderKeys).
 */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE, TENANT_SETTINGS_STORE])],
  controllers: [JobRequestedHandler],
  providers: [
    JobRunner,
    ModelRouter,
    CancellationRegistry,
    CancelRequestsListener,
    TombstoneRegistry,
    TombstoneListener,
    WorkerHeartbeatPublisher,
    WatchedJobs,
    JobWatchListener,
    TenantProviderKeys,
    TenantKeysListener,
    StartedHereRegistry,
    { provide: ProviderFactory, useFactory: (config: ConveyorConfig) => new ProviderFactory(config), inject: [CONVEYOR_CONFIG] },
  ],
})
export class InferenceModule {}
