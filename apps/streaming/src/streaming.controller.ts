import { Controller, Get } from '@nestjs/common';
import { Public } from '@conveyor/http';
import { JobEventRouter } from '@conveyor/stream';

/** The streaming service's health; the streams themselves are @conveyor/stream's (also mounted on the gateway). */
@Controller()
export class StreamingController {
  constructor(private readonly router: JobEventRouter) {}

  /** Liveness, plus what this replica holds: jobs bound on its queue and clients watching them (leak checks). */
  @Get('health')
  @Public()
  health(): { status: 'ok'; watched_jobs: number; watchers: number } {
    const bound = this.router.boundJobs();
    return { status: 'ok', watched_jobs: bound.size, watchers: [...bound.values()].reduce((a, b) => a + b, 0) };
  }
}
