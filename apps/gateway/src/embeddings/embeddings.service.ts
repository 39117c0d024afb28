import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, defaultEmbeddingModel, type ConveyorConfig } from '@conveyor/config';
import type { ChatCompletionRequest, EmbeddingParams, JobResult, NewJob } from '@conveyor/contracts';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { JobCompletionWaiter } from '../jobs/job-completion.waiter';
import { JobsService } from '../jobs/jobs.service';
import { jobFailureException } from '../openai/job-failure.mapper';

/** What every embeddings route asks for, whatever its request's shape. */
export interface EmbeddingsSubmission {
  inputs: string[];
  model?: string;
  dimensions?: number;
  user?: string;
  priority?: string | number;
  metadata?: Record<string, string>;
  /** The priority when the body names none (`X-Priority`). */
  defaultPriority?: string | number;
}

/**
 * Embeddings as queued jobs: one job per request, its inputs as user messages in order, submitted like a chat
 * completion (admission, bands, the durable row and message) and waited for like `/openai/v1`'s. Answers the
 * finished job's result, or null when the caller left first (the job runs on); a job that ended badly is the
 * error `/openai/v1` answers for it. docs/embeddings.md says why embeddings take the queue.
 */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly jobs: JobsService,
    private readonly waiter: JobCompletionWaiter,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  async embed(tenantId: string, submission: EmbeddingsSubmission, signal: AbortSignal): Promise<{ job: NewJob; result: JobResult | null }> {
    const model = submission.model ?? defaultEmbeddingModel(this.config.models);
    if (!model) throw new ConveyorException(ErrorCode.InvalidRequest, "Missing 'model': the catalogue has no embedding model to default to.", 'model');
    const request: ChatCompletionRequest = {
      model,
      messages: submission.inputs.map((content) => ({ role: 'user', content })),
      user: submission.user,
      priority: submission.priority,
      metadata: submission.metadata,
    };
    const embedding: EmbeddingParams = submission.dimensions === undefined ? {} : { dimensions: submission.dimensions };
    const { defaultPriority } = submission;
    const { job, end } = await this.waiter.submitAndWait(
      tenantId,
      (hooks) => this.jobs.submit(tenantId, request, { ...hooks, defaultPriority, embedding }),
      signal,
    );
    if (!end) return { job, result: null };
    if (end.status === 'completed') return { job, result: end.result };
    throw jobFailureException({ id: job.id, status: end.status, error: end.status === 'failed' ? end.error : null });
  }
}
