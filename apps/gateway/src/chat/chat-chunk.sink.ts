import type { SseWriter, StreamSink } from '@conveyor/stream';
import type { ChatStreamEvent } from './chat-views.schema';

/**
 * Seed 004's `GET /stream/{session_id}`: bare `data:` frames (EventSource's `onmessage`) of `{"type":"chunk",
 * "content"}` for each piece of text, then `{"type":"complete"}`; a job that fails ends with `{"type":"error",
 * "message"}`. Text frames carry the session's event ids, so a client that reconnects with Last-Event-ID (as
 * EventSource does) continues exactly after what it has. A new attempt cannot be said in this format once the
 * client holds text (from this connection or, resuming, an earlier one): the stream ends with an error frame.
 */
export class ChatChunkSink implements StreamSink {
  private holdsText: boolean;

  constructor(
    private readonly writer: SseWriter,
    resumedWithText: boolean,
  ) {
    this.holdsText = resumedWithText;
  }

  get isClosed(): boolean {
    return this.writer.isClosed;
  }

  drained(): Promise<void> {
    return this.writer.drained();
  }

  event(name: string, id: string, data: unknown): void {
    switch (name) {
      case 'delta':
        this.holdsText = true;
        return this.send({ type: 'chunk', content: (data as { content: string }).content }, id);
      case 'restart':
        if (this.holdsText) this.fail('Generation restarted after text was sent; the text cannot be continued.', 'job_failed');
        return;
      case 'completed':
        this.send({ type: 'complete', finish_reason: (data as { finish_reason?: string }).finish_reason }, id);
        return this.close();
      case 'failed': {
        const error = (data as { error: { code: string; message: string } | null }).error;
        return this.fail(error?.message ?? 'unknown error', error?.code ?? 'job_failed');
      }
      case 'cancelled':
        return this.fail('The task was cancelled.', 'job_cancelled');
      case 'expired':
        return this.fail('The task expired before it started.', 'job_expired');
    }
  }

  close(): void {
    this.writer.close();
  }

  private fail(message: string, code: string): void {
    this.send({ type: 'error', message, code });
    this.close();
  }

  private send(event: ChatStreamEvent, id?: string): void {
    this.writer.data(event, id);
  }
}
