import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { isUuid } from '@conveyor/contracts';
import { AllowQueryKey, ApiResponse, ApiSummary, ApiTag, ConveyorException, ErrorCode, TenantId } from '@conveyor/http';
import { InvalidCursorError, parseCursor, SseWriter, type StreamCursor } from '@conveyor/stream';
import { ChatChunkSink } from '../chat/chat-chunk.sink';
import { ChatStreamEventSchema } from '../chat/chat-views.schema';
import { isSessionId, jobIdOfSession } from '../chat/session-id.util';
import { TaskProgressEventSchema } from '../generate/generate-views.schema';
import { TaskProgressSink } from '../generate/task-progress.sink';
import { JobRelay } from '../job-relay/job-relay.service';

/**
 * `GET /stream/{id}`, which two seeds serve at the same place: seed 001 streams a task by its `task_id` (a job
 * id) and seed 004 a chat by its `session_id` (`sess_<job id>`, see session-id.util.ts). The id's form picks the
 * event format; the relay is the same. Like every stream route it also takes `?api_key=`, for EventSource.
 */
@Controller('stream')
@ApiTag('Seed 001 and 004: streams')
export class TaskStreamController {
  constructor(
    private readonly relay: JobRelay,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  @Get(':id')
  @AllowQueryKey()
  @ApiSummary("A task's progress (seed 001, by task_id) or a chat's reply (seed 004, by session_id), as SSE")
  @ApiResponse({
    status: 200,
    description:
      'SSE of bare `data:` frames. By task_id: seed 001 progress frames (schema), the whole text as `result` on the `completed` one. ' +
      'By session_id: `{"type":"chunk","content"}` frames, then `{"type":"complete"}` or `{"type":"error"}`, resumable with Last-Event-ID.',
    schema: TaskProgressEventSchema.or(ChatStreamEventSchema),
    contentType: 'text/event-stream',
  })
  async stream(@TenantId() tenantId: string, @Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { clientBufferBytes, heartbeatMs } = this.config.streaming;
    if (isSessionId(id)) {
      const jobId = jobIdOfSession(id);
      if (!jobId) throw ConveyorException.jobNotFound(id);
      const cursor = this.cursorOf(request);
      return this.relay.relayExisting(
        tenantId,
        jobId,
        cursor,
        (_jobId, release) => {
          const writer = new SseWriter(reply.raw, clientBufferBytes, release);
          return { sink: new ChatChunkSink(writer, cursor.kind === 'text'), open: () => writer.open(heartbeatMs) };
        },
        reply,
      );
    }
    if (!isUuid(id)) throw ConveyorException.jobNotFound(id);
    // Seed 001's frames carry no ids: every connection starts from the beginning of the task's text.
    return this.relay.relayExisting(
      tenantId,
      id,
      parseCursor(undefined),
      (jobId, release) => {
        const writer = new SseWriter(reply.raw, clientBufferBytes, release);
        return { sink: new TaskProgressSink(writer, jobId), open: () => writer.open(heartbeatMs) };
      },
      reply,
    );
  }

  private cursorOf(request: FastifyRequest): StreamCursor {
    const header = request.headers['last-event-id'];
    const query = (request.query as Record<string, unknown> | undefined)?.last_event_id;
    try {
      return parseCursor(typeof header === 'string' ? header : typeof query === 'string' ? query : undefined);
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new ConveyorException(ErrorCode.InvalidRequest, err.message, 'last_event_id');
      throw err;
    }
  }
}
