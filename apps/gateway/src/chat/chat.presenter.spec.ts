import type { JobRecord } from '@conveyor/contracts';
import { ChatRequestSchema } from './chat-request.schema';
import { completionRequestOf, presentChatQueued, presentChatTask } from './chat.presenter';
import { ChatQueuedSchema, ChatTaskSchema } from './chat-views.schema';
import { isSessionId, jobIdOfSession, sessionIdOf } from './session-id.util';

const ID = '0190a000-0000-7000-8000-000000000001';

describe("seed 004's chat views", () => {
  it('answers /chat/async with the task, its session and where to stream it, under the compat prefix', () => {
    expect(ChatQueuedSchema.parse(presentChatQueued(ID, ''))).toEqual({
      status: 'queued',
      task_id: ID,
      session_id: `sess_${ID}`,
      stream_url: `/stream/sess_${ID}`,
    });
    expect(presentChatQueued(ID, '/compat').stream_url).toBe(`/compat/stream/sess_${ID}`);
  });

  it('tells session ids from task ids, and maps a session back to its job', () => {
    expect(jobIdOfSession(sessionIdOf(ID))).toBe(ID);
    expect(isSessionId(ID)).toBe(false);
    expect(jobIdOfSession('sess_not-a-uuid')).toBeNull();
    expect(jobIdOfSession(ID)).toBeNull();
  });

  it.each([
    [10, true],
    [0, true],
    [-10, true],
    [7, true],
    ['low', true],
    [11, false],
    [2.5, false],
  ])('takes priority %p: %p', (priority, ok) => {
    expect(ChatRequestSchema.safeParse({ message: 'Hello!', priority }).success).toBe(ok);
  });

  it('queues the message as one user turn at its priority', () => {
    expect(completionRequestOf({ message: 'Hello!', priority: 5 })).toEqual({ model: undefined, messages: [{ role: 'user', content: 'Hello!' }], priority: 5 });
  });

  it("reports the task in Celery's states, with the reply once it succeeded", () => {
    const base = { id: ID, model: 'simulated', priority: 'high', error: null, result: null } as unknown as JobRecord;
    expect(ChatTaskSchema.parse(presentChatTask({ ...base, status: 'queued' }))).toMatchObject({ status: 'PENDING', ready: false, result: null });
    expect(presentChatTask({ ...base, status: 'running' }).status).toBe('STARTED');
    const result = { message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    expect(presentChatTask({ ...base, status: 'completed', result } as unknown as JobRecord)).toMatchObject({
      status: 'SUCCESS',
      ready: true,
      result: 'Hi',
      usage: result.usage,
    });
    expect(presentChatTask({ ...base, status: 'cancelled' })).toMatchObject({ status: 'REVOKED', error: { code: 'job_cancelled' } });
    expect(presentChatTask({ ...base, status: 'failed', error: { code: 'provider_error', message: 'x' } })).toMatchObject({ status: 'FAILURE' });
  });
});
