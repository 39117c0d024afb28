import { Module, type Type } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { ROUTES } from '@nestjs/core/router/router-module';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { BatchApiModule } from '../batch-api/batch-api.module';
import { ChatModule } from '../chat/chat.module';
import { GenerateModule } from '../generate/generate.module';
import { PoolModule } from '../pool/pool.module';
import { StatsModule } from '../stats/stats.module';
import { TaskStreamModule } from '../task-stream/task-stream.module';

/** The seeds' own routes, each area a feature module of its own (see docs/compatibility.md). */
const COMPAT_MODULES: Array<Type<unknown>> = [GenerateModule, BatchApiModule, PoolModule, ChatModule, StatsModule, TaskStreamModule];

/**
 * Mounts the seeds' routes where the seeds serve them, at the root, or under `COMPAT_PREFIX`. RouterModule reads
 * its routes when it is instantiated, before any route is registered, so they can come from the validated config
 * (`RouterModule.register` would need the prefix when this file loads).
 */
@Module({
  imports: [
    ...COMPAT_MODULES,
    {
      module: RouterModule,
      providers: [
        {
          provide: ROUTES,
          useFactory: (config: ConveyorConfig) => (config.compat.prefix ? COMPAT_MODULES.map((module) => ({ path: config.compat.prefix, module })) : []),
          inject: [CONVEYOR_CONFIG],
        },
      ],
    },
  ],
})
export class CompatModule {}
