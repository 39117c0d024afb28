import { Module } from '@nestjs/common';
import { HttpEdgeModule } from '@conveyor/http';
import { MetricsHttpModule } from '@conveyor/metrics';
import { StreamModule } from '@conveyor/stream';
import { StreamingController } from './streaming.controller';

/** The streaming service: job streams (SSE) scaled apart from the gateway, on its own routed queue; `GET /metrics`. */
@Module({
  imports: [HttpEdgeModule, StreamModule, MetricsHttpModule],
  controllers: [StreamingController],
})
export class StreamingModule {}
