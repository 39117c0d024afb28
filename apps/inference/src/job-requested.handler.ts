import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { MessageTypes, type JobRequested } from '@conveyor/contracts';
import { OnMessage, type DeliveryContext, type HandlerOutcome } from '@conveyor/messaging';
import { JobRunner } from './job-runner.service';

/** Consumes jobs from the priority bands (strictly high, then normal, then low). */
@Controller()
export class JobRequestedHandler {
  constructor(private readonly runner: JobRunner) {}

  @OnMessage('inference', MessageTypes.JobRequested)
  handle(@Payload() job: JobRequested, @Ctx() ctx: DeliveryContext): Promise<HandlerOutcome> {
    return this.runner.run(job, ctx);
  }
}
