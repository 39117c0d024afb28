import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { MessagePublisher } from '@conveyor/messaging';
import { Public } from '../auth/api-key.guard';

interface HealthView {
  status: 'ok' | 'degraded';
  broker: { ready: boolean };
  database: { ready: boolean };
}

/** `GET /health`: liveness (always 200 while serving) with readiness details; `GET /health/ready`: 503 until ready. */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    private readonly publisher: MessagePublisher,
  ) {}

  @Get()
  @HttpCode(200)
  health(): Promise<HealthView> {
    return this.check();
  }

  @Get('ready')
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
