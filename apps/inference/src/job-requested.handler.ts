import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { MessageTypes, type JobRequested } from '@conveyor/contracts';
import type { DeliveryContext, HandlerOutcome } from '@conveyor/messaging';
import { JobRunner } from './job-runner.service';

/** Consumes jobs from the priority bands (strictly high, then normal, then low). */
@Controller()
export class JobRequestedHandler {
  constructor(private readonly runner: JobRunner) {}

  @EventPattern(MessageTypes.JobRequested)
  handle(@Payload() job: JobRequested, @Ctx() ctx: DeliveryContext): Promise<HandlerOutcome> {
    return this.runner.run(job, ctx);
  }
}
