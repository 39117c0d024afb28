import { mapException, type ConveyorException } from '@conveyor/http';
import type { StreamSink } from '@conveyor/stream';
import type { ChunkedHttpWriter } from '../job-relay/chunked-http.writer';
import { jobFailureException } from '../openai/job-failure.mapper';

/**
 * Seed 004's synchronous `POST /chat`, "streaming HTTP": the reply's text itself, as `text/plain` chunks while
 * it is generated, the response ending with the text. The 200 waits for the first text, so a job that fails
 * before any is an ordinary error answer (OpenAI's shape, the statuses of `/openai/v1`). After text, a failure or
 * a new attempt can only be said by breaking the response: the connection is reset before its last chunk, so
 * the client sees an incomplete answer, never a shorter text that looks whole.
 */
export class ChatTextSink implements StreamSink {
  constructor(
    private readonly writer: ChunkedHttpWriter,
    private readonly jobId: string,
  ) {}

  get isClosed(): boolean {
    return this.writer.isClosed;
  }

  drained(): Promise<void> {
    return this.writer.drained();
  }

  event(name: string, _id: string, data: unknown): void {
    switch (name) {
      case 'delta':
        return this.writer.write((data as { content: string }).content);
      case 'restart':
        if (this.writer.isOpen) this.writer.abort();
        return;
      case 'completed':
        return this.writer.close();
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

  private fail(error: ConveyorException): void {
    const { status, headers, body } = mapException(error);
    this.writer.fail(status, headers, body);
  }
}
