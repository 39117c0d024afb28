import type { ToolCall, Usage } from '@conveyor/contracts';

/** What every chunk of one stream shares: OpenAI's SDKs expect one id, `created` and `model` throughout. */
export interface ChunkHeader {
  id: string;
  created: number;
  model: string;
  /** With `stream_options.include_usage`, every chunk but the usage one carries `usage: null`. */
  includeUsage: boolean;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: 0; delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Usage | null;
}

/** The header of a job's stream: id `chatcmpl-<job_id>`, like the non-streaming answer. */
export function chunkHeaderOf(job: { id: string; model: string; createdAt: Date }, includeUsage: boolean): ChunkHeader {
  return { id: `chatcmpl-${job.id}`, created: Math.floor(job.createdAt.getTime() / 1000), model: job.model, includeUsage };
}

function chunk(header: ChunkHeader, delta: Record<string, unknown>, finishReason: string | null = null): ChatCompletionChunk {
  const base: ChatCompletionChunk = {
    id: header.id,
    object: 'chat.completion.chunk',
    created: header.created,
    model: header.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
  return header.includeUsage ? { ...base, usage: null } : base;
}

/** The first chunk, before any text: OpenAI's clients take the role from it. */
export function roleChunk(header: ChunkHeader): ChatCompletionChunk {
  return chunk(header, { role: 'assistant', content: '' });
}

export function contentChunk(header: ChunkHeader, content: string): ChatCompletionChunk {
  return chunk(header, { content });
}

/** The result's tool calls in one delta; each call whole, under its own `index`. */
export function toolCallsChunk(header: ChunkHeader, calls: ToolCall[]): ChatCompletionChunk {
  return chunk(header, { tool_calls: calls.map((call, index) => ({ index, id: call.id, type: call.type, function: call.function })) });
}

/** The chunk that ends the choice, with an empty delta. */
export function finishChunk(header: ChunkHeader, finishReason: string): ChatCompletionChunk {
  return chunk(header, {}, finishReason);
}

/** The extra chunk of `include_usage`: no choices, the usage filled. */
export function usageChunk(header: ChunkHeader, usage: Usage): ChatCompletionChunk {
  return { id: header.id, object: 'chat.completion.chunk', created: header.created, model: header.model, choices: [], usage };
}
