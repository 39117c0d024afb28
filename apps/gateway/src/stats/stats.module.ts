import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_STATS_STORE, JOB_STORE } from '@conveyor/database';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/** Seed 004's operator views: `GET /stats` and `GET /health/full`. */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE, JOB_STATS_STORE])],
  controllers: [StatsController],
  providers: [StatsService],
})
export class StatsModule {}
