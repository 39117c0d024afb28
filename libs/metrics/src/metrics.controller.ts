import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiResponse, ApiSummary, ApiTag, Public } from '@conveyor/http';
import { MetricsRegistry } from './metrics.registry';

/**
 * `GET /metrics` on an HTTP service's own port (the gateway, streaming, and so the embedded process), as seed 001
 * serves it: unauthenticated, like `/health`. Its series carry no tenant, key or job; operators who would rather not
 * publish them keep the path off their ingress and scrape the pods directly.
 */
@Controller('metrics')
@ApiTag('Operations')
@Public()
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiSummary('Prometheus metrics of this process (text exposition format)')
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4.', schema: z.string(), contentType: 'text/plain; version=0.0.4' })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.contentType);
    return this.metrics.scrape();
  }
}
