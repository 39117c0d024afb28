import type { JobResult } from '@conveyor/contracts';
import { completeRequestSchema } from './complete-request.schema';
import { completionRequestOf, presentComplete } from './complete.presenter';
import { CompleteResponseSchema } from './complete-views.schema';

const LIMITS = { maxTokensCap: 100, maxMessages: 10 };
const USAGE = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };

describe("seed 003's /complete", () => {
  it("queues the group as the job's model and keeps the caller's tenant_id in the job's metadata", () => {
    const request = completeRequestSchema(LIMITS).parse({ model: 'quality', messages: [{ role: 'user', content: 'hi' }], tenant_id: 'acme-42' });
    expect(completionRequestOf(request)).toEqual({
      model: 'quality',
      messages: [{ role: 'user', content: 'hi' }],
      tools: undefined,
      metadata: { client_tenant_id: 'acme-42' },
    });
  });

  it('requires model, messages and tenant_id, as the seed does', () => {
    const schema = completeRequestSchema(LIMITS);
    expect(schema.safeParse({ messages: [{ role: 'user', content: 'hi' }], tenant_id: 't' }).success).toBe(false);
    expect(schema.safeParse({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).success).toBe(false);
  });

  it('answers the text with the real usage and no tool calls', () => {
    const result = { message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop', usage: USAGE, model: 'simulated' } as JobResult;
    const view = presentComplete('quality', result);
    expect(CompleteResponseSchema.parse(view)).toEqual({ content: 'Hello', model: 'quality', usage: USAGE, tool_calls: [] });
  });

  it('answers tool calls in OpenAI format, with empty content', () => {
    const call = { id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
    const result = { message: { role: 'assistant', content: '', tool_calls: [call] }, finish_reason: 'tool_calls', usage: USAGE, model: 'x' } as JobResult;
    expect(presentComplete('quality', result)).toEqual({ content: '', model: 'quality', usage: USAGE, tool_calls: [call] });
  });
});
