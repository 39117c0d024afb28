import type { ChatMessage, CompletionParams } from '@conveyor/contracts';
import type { LlmProvider, ProviderChunk, ProviderRequest } from '../../../apps/inference/src/providers/llm-provider.port';

type Finish = Extract<ProviderChunk, { type: 'finish' }>;

export interface ProviderRun {
  deltas: string[];
  text: string;
  finish: Finish;
  chunks: ProviderChunk[];
}

export function providerRequest(messages: ChatMessage[], params: CompletionParams = {}): ProviderRequest {
  return { model: 'public-model-name', messages, params };
}

/** Drains a provider's stream, checking the port's promise of deltas followed by exactly one finish, last. */
export async function runProvider(provider: LlmProvider, request: ProviderRequest, signal = new AbortController().signal): Promise<ProviderRun> {
  const chunks: ProviderChunk[] = [];
  for await (const chunk of provider.stream(request, signal)) chunks.push(chunk);
  const finishes = chunks.filter((c): c is Finish => c.type === 'finish');
  if (finishes.length !== 1 || chunks[chunks.length - 1] !== finishes[0]) {
    throw new Error(`expected exactly one finish chunk, last; got ${JSON.stringify(chunks)}`);
  }
  const deltas = chunks.flatMap((c) => (c.type === 'delta' ? [c.content] : []));
  return { deltas, text: deltas.join(''), finish: finishes[0]!, chunks };
}

/**
 * Consumes a stream and aborts the signal as soon as the first delta arrives, as a cancel mid-generation does.
 * Resolves with whatever the stream then threw, and the deltas seen; fails if the stream ended without throwing.
 */
export async function abortAfterFirstDelta(provider: LlmProvider, request: ProviderRequest): Promise<{ error: Error; deltas: string[] }> {
  const controller = new AbortController();
  const deltas: string[] = [];
  try {
    for await (const chunk of provider.stream(request, controller.signal)) {
      if (chunk.type !== 'delta') continue;
      deltas.push(chunk.content);
      controller.abort();
    }
  } catch (error) {
    return { error: error as Error, deltas };
  }
  throw new Error(`the stream finished despite the abort, after ${JSON.stringify(deltas)}`);
}

/** The error a stream fails with; fails the test if it succeeds instead. */
export async function failureOf(provider: LlmProvider, request: ProviderRequest, signal?: AbortSignal): Promise<Error> {
  let run: ProviderRun;
  try {
    run = await runProvider(provider, request, signal);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected the stream to fail, but it finished with ${JSON.stringify(run.finish)}`);
}
