import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { GenerateController } from './generate.controller';

/** Seed 001's task API: `POST /generate`, `GET /status/{task_id}`, `GET /result/{task_id}`. */
@Module({
  imports: [JobsModule],
  controllers: [GenerateController],
})
export class GenerateModule {}
