import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiResponse, ApiSummary, ApiTag, clientGoneSignal, TenantId, ValidBody } from '@conveyor/http';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import {
  BatchEmbeddingsRequestSchema,
  BatchEmbeddingsViewSchema,
  presentBatchEmbeddings,
  type BatchEmbeddingsRequest,
  type BatchEmbeddingsView,
} from './batch-embeddings.schema';

/** Seed 004's `POST /embeddings`: a batch of texts embedded as one queued job, answered once it ends. */
@Controller('embeddings')
@ApiTag('Seed 004: chat')
export class BatchEmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Post()
  @HttpCode(200)
  @ApiSummary('Embed a batch of texts')
  @ApiResponse({ status: 200, description: 'One vector per text, in order, with the usage.', schema: BatchEmbeddingsViewSchema })
  async embed(
    @TenantId() tenantId: string,
    @ValidBody(BatchEmbeddingsRequestSchema) request: BatchEmbeddingsRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchEmbeddingsView | undefined> {
    const gone = clientGoneSignal(reply.raw);
    const { job, result } = await this.embeddings.embed(tenantId, { ...request, inputs: request.texts }, gone);
    void reply.header('x-conveyor-job-id', job.id);
    return result ? presentBatchEmbeddings(job.id, job.model, result) : undefined;
  }
}
