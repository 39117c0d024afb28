import type { StreamSink } from '@conveyor/stream';
import type { ChunkedHttpWriter } from '../job-relay/chunked-http.writer';
import { ALL_PROVIDERS_UNAVAILABLE, type CompleteStreamLine } from './complete-views.schema';

/**
 * Seed 003's `POST /complete/stream`: one JSON object per line, `{"type":"chunk","text"}` for each piece of text,
 * then `{"type":"done"}`; a job that fails ends with `{"type":"error","message"}` (the seed's "All providers
 * unavailable" when no provider could serve it, the job's error otherwise, with its `code`). A new attempt after
 * text was sent cannot be said in this format: the stream ends with an error line instead of a wrong text.
 */
export class NdjsonChunkSink implements StreamSink {
  private textSent = false;

  constructor(private readonly writer: ChunkedHttpWriter) {}

  get isClosed(): boolean {
    return this.writer.isClosed;
  }

  drained(): Promise<void> {
    return this.writer.drained();
  }

  event(name: string, _id: string, data: unknown): void {
    switch (name) {
      case 'delta':
        this.textSent = true;
        return this.line({ type: 'chunk', text: (data as { content: string }).content });
      case 'restart':
        if (this.textSent) this.fail('Generation restarted after text was sent; the text cannot be continued.', 'job_failed');
        return;
      case 'completed':
        this.line({ type: 'done' });
        return this.close();
      case 'failed': {
        const error = (data as { error: { code: string; message: string } | null }).error;
        const message = error?.code === 'providers_unavailable' ? ALL_PROVIDERS_UNAVAILABLE : (error?.message ?? 'unknown error');
        return this.fail(message, error?.code ?? 'job_failed');
      }
      case 'cancelled':
        return this.fail('The job was cancelled.', 'job_cancelled');
      case 'expired':
        return this.fail('The job expired before it started.', 'job_expired');
    }
  }

  close(): void {
    this.writer.close();
  }

  private fail(message: string, code: string): void {
    this.line({ type: 'error', message, code });
    this.close();
  }

  private line(line: CompleteStreamLine): void {
    this.writer.write(`${JSON.stringify(line)}\n`);
  }
}
