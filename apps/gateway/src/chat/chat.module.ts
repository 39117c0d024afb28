import { Module } from '@nestjs/common';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { JobsModule } from '../jobs/jobs.module';
import { JobRelayModule } from '../job-relay/job-relay.module';
import { BatchEmbeddingsController } from './batch-embeddings.controller';
import { ChatController } from './chat.controller';

/** Seed 004's chat API: `POST /chat`, `POST /chat/async`, `GET /chat/{task_id}`, and its `POST /embeddings`. */
@Module({
  imports: [JobsModule, JobRelayModule, EmbeddingsModule],
  controllers: [ChatController, BatchEmbeddingsController],
})
export class ChatModule {}
