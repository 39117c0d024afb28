import { Module } from '@nestjs/common';
import { JobRelayModule } from '../job-relay/job-relay.module';
import { TaskStreamController } from './task-stream.controller';

/** `GET /stream/{id}`: seed 001's task progress and seed 004's chat stream, at the one place both seeds use. */
@Module({
  imports: [JobRelayModule],
  controllers: [TaskStreamController],
})
export class TaskStreamModule {}
