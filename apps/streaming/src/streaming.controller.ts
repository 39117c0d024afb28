import { Controller, Get } from '@nestjs/common';

/** The streaming service's HTTP surface. SSE relays of job events arrive with the streaming issue. */
@Controller()
export class StreamingController {
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
