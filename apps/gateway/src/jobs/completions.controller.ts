import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { JobAcceptedView } from '@conveyor/contracts';
import { TenantId } from '../auth/tenant.decorator';
import { presentAccepted } from './job.presenter';
import { JobsService } from './jobs.service';

/** `POST /v1/chat/completions`: queue the request and answer 202 with the job and where to poll it. */
@Controller('v1/chat/completions')
export class CompletionsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @HttpCode(202)
  async submit(@TenantId() tenantId: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<JobAcceptedView> {
    const job = await this.jobs.submit(tenantId, body);
    void reply.header('location', `/v1/jobs/${job.id}`);
    return presentAccepted(job);
  }
}
