import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmbeddingListViewSchema, EmbeddingRequestSchema, presentEmbeddings, type EmbeddingListView, type EmbeddingRequest } from '@conveyor/contracts';
import { ApiResponse, ApiSummary, clientGoneSignal, TenantId, ValidBody } from '@conveyor/http';
import { headerPriority } from '../openai/openai-request.util';
import { EmbeddingsService } from './embeddings.service';

/**
 * `POST /v1/embeddings`, also at `/openai/v1/embeddings` for OpenAI's SDKs: OpenAI's request, queued as a job and
 * answered with OpenAI's list once it ends (the job id in `X-Conveyor-Job-Id`; the job stays readable at
 * `/v1/jobs/{id}`). A caller who hangs up leaves the job running.
 */
@Controller(['v1/embeddings', 'openai/v1/embeddings'])
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Post()
  @HttpCode(200)
  @ApiSummary("OpenAI's embeddings, through the queue")
  @ApiResponse({
    status: 200,
    description: 'One vector per input, in order (`encoding_format: base64`: little-endian float32).',
    schema: EmbeddingListViewSchema,
  })
  async create(
    @TenantId() tenantId: string,
    @ValidBody(EmbeddingRequestSchema) request: EmbeddingRequest,
    @Req() http: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EmbeddingListView | undefined> {
    const gone = clientGoneSignal(reply.raw);
    const submission = { ...request, inputs: request.input, defaultPriority: headerPriority(http) };
    const { job, result } = await this.embeddings.embed(tenantId, submission, gone);
    void reply.header('x-conveyor-job-id', job.id);
    return result ? presentEmbeddings(job.model, result, request.encoding_format) : undefined;
  }
}
