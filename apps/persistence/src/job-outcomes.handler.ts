import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MessageTypes, type JobOutcome, type JobStarted } from '@conveyor/contracts';
import { OnMessage, type HandlerOutcome } from '@conveyor/messaging';
import { OutcomeRecorder } from './recording/outcome.recorder';
import { StartRecorder } from './recording/start.recorder';

/**
 * Projects workers' messages onto the jobs table: outcomes (then announced as terminal events) and starts. Each
 * transition is conditional, so redelivered, duplicated or reordered messages are harmless. A failed write throws:
 * the inbound pipeline retries the message later, and waits out an unreachable database without spending its
 * retry budget.
 */
@Controller()
export class JobOutcomesHandler {
  constructor(
    private readonly outcomes: OutcomeRecorder,
    private readonly starts: StartRecorder,
  ) {}

  @OnMessage('persistence', MessageTypes.JobOutcome)
  outcome(@Payload() outcome: JobOutcome): Promise<HandlerOutcome> {
    return this.outcomes.record(outcome);
  }

  /** A lost start (it is transient) only delays `running`: the terminal transition sets the start time too. */
  @OnMessage('persistence', MessageTypes.JobStarted)
  started(@Payload() event: JobStarted): Promise<void> {
    return this.starts.record(event);
  }
}
