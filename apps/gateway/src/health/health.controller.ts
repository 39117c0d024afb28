import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { MessagePublisher } from '@conveyor/messaging';
import { ApiResponse, ApiSummary, Public } from '@conveyor/http';
import { HealthViewSchema, type HealthView } from './health-view.schema';

/**
 * `GET /health`: liveness (always 200 once the app serves) with readiness details; `GET /health/ready`: 503 until
 * ready. Before the app serves, while it waits for its broker or database, both answer 503 `starting` (StartingServer).
 */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    private readonly publisher: MessagePublisher,
  ) {}

  @Get()
  @HttpCode(200)
  @ApiSummary('Liveness, with the broker and database readiness')
  @ApiResponse({ status: 200, description: 'Always 200 once the app serves.', schema: HealthViewSchema })
  @ApiResponse({ status: 503, description: 'Starting: waiting for the broker or database (`missing` names them).', schema: HealthViewSchema })
  health(): Promise<HealthView> {
    return this.check();
  }

  @Get('ready')
  @ApiSummary('Readiness: 503 until broker and database are ready')
  @ApiResponse({ status: 200, description: 'Ready.', schema: HealthViewSchema })
  @ApiResponse({ status: 503, description: 'Not ready (with Retry-After).', schema: HealthViewSchema })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
    const view = await this.check();
    if (view.status !== 'ok') void reply.status(503).header('retry-after', '2');
    return view;
  }

  private async check(): Promise<HealthView> {
    const database = await this.jobs.ping().then(
      () => true,
      () => false,
    );
    const broker = this.publisher.isReady();
    return { status: broker && database ? 'ok' : 'degraded', broker: { ready: broker }, database: { ready: database } };
  }
}
