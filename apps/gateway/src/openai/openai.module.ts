import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_CHUNK_STORE, JOB_STORE } from '@conveyor/database';
import { StreamModule } from '@conveyor/stream';
import { JobsModule } from '../jobs/jobs.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ChatCompletionStreamService } from './chat-completion-stream.service';
import { CompletionsController } from './completions.controller';
import { OpenAiCompletionsController } from './openai-completions.controller';

/**
 * Chat completion submits in OpenAI's request shape: `POST /v1/chat/completions` (202 and a job, or chunks with
 * `stream: true`) and the drop-in `POST /openai/v1/chat/completions` (the finished `chat.completion`, or chunks).
 */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE, JOB_CHUNK_STORE]), StreamModule, JobsModule, WebhooksModule],
  controllers: [CompletionsController, OpenAiCompletionsController],
  providers: [ChatCompletionStreamService],
})
export class OpenAiModule {}
