import { Controller, Get } from '@nestjs/common';

/** The streaming service's liveness probe; the streams themselves are JobStreamController's. */
@Controller()
export class StreamingController {
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
