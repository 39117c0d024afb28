import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';

/** `POST /v1/embeddings` (and `/openai/v1/embeddings`); exports the use case for the seeds' embeddings route. */
@Module({
  imports: [JobsModule],
  controllers: [EmbeddingsController],
  providers: [EmbeddingsService],
  exports: [EmbeddingsService],
})
export class EmbeddingsModule {}
