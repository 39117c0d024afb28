import type { SseWriter, StreamSink } from '@conveyor/stream';
import { errorTypeOf, TASK_MESSAGES } from './generate.presenter';
import type { TaskProgressEvent } from './generate-views.schema';

/**
 * Seed 001's `GET /stream/{task_id}`: each event a bare `data:` frame (what EventSource's `onmessage` receives)
 * of `{task_id, status, message}`; text as it is generated in `delta`, and the whole text as `result` on the
 * `completed` frame, which the seed's client reads. Frames carry no id, so a client that reconnects starts over
 * and its `completed` frame still holds the whole result: the text kept here is everything relayed since the
 * session's last `restart` (a new attempt), which the session guarantees equals the stored result at the end.
 */
export class TaskProgressSink implements StreamSink {
  private text = '';

  constructor(
    private readonly writer: SseWriter,
    private readonly taskId: string,
  ) {}

  get isClosed(): boolean {
    return this.writer.isClosed;
  }

  drained(): Promise<void> {
    return this.writer.drained();
  }

  event(name: string, _id: string, data: unknown): void {
    switch (name) {
      case 'queued':
        return this.send({ status: 'queued', message: TASK_MESSAGES.waiting });
      case 'started':
        return this.send({ status: 'processing', message: TASK_MESSAGES.processing });
      case 'restart':
        this.text = '';
        return this.send({ status: 'processing', message: 'Generation restarted: discard the text so far', restarted: true });
      case 'delta': {
        const { content } = data as { content: string };
        this.text += content;
        return this.send({ status: 'processing', message: 'Generating', delta: content });
      }
      case 'completed':
        this.send({ status: 'completed', message: TASK_MESSAGES.completed, result: this.text });
        return this.close();
      case 'failed': {
        const error = (data as { error: { code: string; message: string } | null }).error;
        this.send({ status: 'failed', message: `Task failed: ${error?.message ?? 'unknown error'}`, error_type: errorTypeOf(error?.code) });
        return this.close();
      }
      case 'cancelled':
        this.send({ status: 'failed', message: TASK_MESSAGES.cancelled, error_type: 'JobCancelled' });
        return this.close();
      case 'expired':
        this.send({ status: 'failed', message: TASK_MESSAGES.expired, error_type: 'JobExpired' });
        return this.close();
    }
  }

  close(): void {
    this.writer.close();
  }

  private send(frame: Omit<TaskProgressEvent, 'task_id'>): void {
    this.writer.data({ task_id: this.taskId, ...frame });
  }
}
