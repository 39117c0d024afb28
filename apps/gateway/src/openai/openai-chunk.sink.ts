import type { ToolCall, Usage } from '@conveyor/contracts';
import { ConveyorException, ErrorCode, mapException } from '@conveyor/http';
import type { SseWriter, StreamSink } from '@conveyor/stream';
import { contentChunk, finishChunk, roleChunk, toolCallsChunk, usageChunk, type ChunkHeader } from './chat-completion-chunk.mapper';
import { jobFailureException } from './job-failure.mapper';

/**
 * Turns a JobStreamSession's events into OpenAI's `chat.completion.chunk` stream. `queued` and `started` have no
 * counterpart and are dropped. A `restart` (a new attempt, or a final text that does not continue what was sent)
 * cannot be said in OpenAI's format: before any text it is harmless and dropped; after text the stream ends with
 * an error frame instead of a text the client would get wrong. A failed or cancelled job ends with an error
 * frame too (the SDKs raise an APIError on a `data:` holding `error`), and no `[DONE]`.
 */
export class OpenAiChunkSink implements StreamSink {
  private textSent = false;
  /** The result's tool calls, set by the caller from the terminal event or the row before `completed`. */
  toolCalls: ToolCall[] = [];

  constructor(
    private readonly writer: SseWriter,
    private readonly header: ChunkHeader,
    private readonly jobId: string,
  ) {}

  get isClosed(): boolean {
    return this.writer.isClosed;
  }

  /** Sends the role chunk; call once the SSE response is open. */
  begin(): void {
    this.writer.data(roleChunk(this.header));
  }

  event(name: string, _id: string, data: unknown): void {
    switch (name) {
      case 'delta':
        this.textSent = true;
        return this.writer.data(contentChunk(this.header, (data as { content: string }).content));
      case 'restart':
        if (this.textSent)
          this.fail(
            new ConveyorException(
              ErrorCode.JobFailed,
              `Job ${this.jobId} restarted generation mid-stream; its text cannot be continued. Fetch GET /v1/jobs/${this.jobId} for the result.`,
            ),
          );
        return;
      case 'completed':
        return this.complete(data as { finish_reason: string; usage: Usage });
      case 'failed':
        return this.fail(jobFailureException({ id: this.jobId, status: 'failed', error: (data as { error: { code: string; message: string } | null }).error }));
      case 'cancelled':
      case 'expired':
        return this.fail(jobFailureException({ id: this.jobId, status: name, error: null }));
    }
  }

  close(): void {
    this.writer.close();
  }

  private complete(data: { finish_reason: string; usage: Usage }): void {
    if (this.toolCalls.length > 0) this.writer.data(toolCallsChunk(this.header, this.toolCalls));
    this.writer.data(finishChunk(this.header, data.finish_reason));
    if (this.header.includeUsage) this.writer.data(usageChunk(this.header, data.usage));
    this.writer.data('[DONE]');
  }

  private fail(error: ConveyorException): void {
    this.writer.data(mapException(error).body);
    this.writer.close();
  }
}
