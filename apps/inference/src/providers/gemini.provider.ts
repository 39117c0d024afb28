import { GoogleGenAI, type FunctionCall, type GenerateContentParameters, type GenerateContentResponse } from '@google/genai';
import { messageText, type ChatMessage, type FinishReason } from '@conveyor/contracts';
import { CompletionTally } from './completion-tally.util';
import { toGeminiContents, toGeminiToolConfig, toGeminiTools } from './gemini-request.mapper';
import { estimateEmbeddingUsage } from './embedding-usage.util';
import {
  ProviderError,
  type EmbeddingProviderRequest,
  type EmbeddingProviderResult,
  type LlmProvider,
  type ProviderChunk,
  type ProviderRequest,
} from './llm-provider.port';
import { abortError, classifyProviderError } from './provider-error.classifier';

export interface GeminiProviderOptions {
  name: string;
  /** Google's Gemini API by default; a proxy or compatible server otherwise. */
  baseURL?: string;
  apiKey: string;
  upstreamModel: string;
  /** Bounds the whole request, stream included: @google/genai keeps its timer armed while the body is read. */
  timeoutMs: number;
}

/** Gemini's finish reasons in OpenAI's terms; the safety family is a content filter, anything else a stop. */
const FINISH_REASONS: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

/**
 * Google Gemini's `streamGenerateContent?alt=sse`, through the official `@google/genai` SDK. System and developer messages become `systemInstruction`,
 * assistant turns the `model` role, tools `functionDeclarations` (see gemini-request.mapper.ts). Gemini has no
 * per-end-user field, so `params.user` is not sent. Embeddings are `batchEmbedContents` (the SDK's `embedContent` with
 * every input), `dimensions` its `outputDimensionality`; Gemini's API reports no tokens for them, so their usage is
 * estimated.
 */
export class GeminiProvider implements LlmProvider {
  readonly name: string;
  private readonly client: GoogleGenAI;

  constructor(private readonly options: GeminiProviderOptions) {
    this.name = options.name;
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      // Explicit, so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot reroute this deployment to Vertex AI.
      vertexai: false,
      httpOptions: {
        ...(options.baseURL !== undefined && { baseUrl: options.baseURL }),
        timeout: options.timeoutMs,
        // No `retryOptions`: the SDK then makes exactly one attempt; retries and fallback belong to the router.
        // Node's own fetch, given explicitly: otherwise the SDK reaches for undici's global dispatcher through a
        // private symbol, which sandboxed realms (jest's vm, some bundlers) do not have. undici's default 300 s
        // inactivity timeouts then apply, which only ever cut a stream that has gone silent for five minutes.
        fetch: (input, init) => fetch(input, init),
      },
    });
  }

  async embed(request: EmbeddingProviderRequest, signal: AbortSignal): Promise<EmbeddingProviderResult> {
    if (signal.aborted) throw abortError(signal);
    let vectors: number[][];
    try {
      const response = await this.client.models.embedContent({
        model: this.options.upstreamModel,
        contents: request.inputs,
        config: { abortSignal: signal, ...(request.dimensions !== undefined && { outputDimensionality: request.dimensions }) },
      });
      vectors = (response.embeddings ?? []).map((e) => e.values ?? []);
    } catch (err) {
      throw classifyProviderError(err, { provider: this.name, signal, secrets: [this.options.apiKey] });
    }
    if (signal.aborted) throw abortError(signal);
    if (vectors.some((v) => v.length === 0)) throw new ProviderError(`${this.name}: an embedding came back without values`, false);
    return { vectors, usage: estimateEmbeddingUsage(request.inputs), usageEstimated: true };
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderChunk> {
    if (signal.aborted) throw abortError(signal);
    const tally = new CompletionTally(this.name, request.messages);
    let calls = 0;
    try {
      const stream = await this.client.models.generateContentStream(this.parameters(request, signal));
      for await (const response of stream) {
        if (signal.aborted) break;
        for (const text of textsOf(response)) yield tally.delta(text);
        // Gemini sends each call whole, in a part of its own: each is a new call.
        for (const call of functionCallsOf(response)) {
          tally.toolCallPart(calls++, { id: call.id, name: call.name, arguments: JSON.stringify(call.args ?? {}) });
        }
        const reason = response.candidates?.[0]?.finishReason;
        if (reason) tally.finishWith(FINISH_REASONS[reason] ?? 'stop');
        if (response.promptFeedback?.blockReason) tally.finishWith('content_filter');
        const usage = response.usageMetadata;
        if (usage?.promptTokenCount !== undefined) {
          const completion = (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0);
          tally.reportUsage({ prompt_tokens: usage.promptTokenCount, completion_tokens: completion, total_tokens: usage.promptTokenCount + completion });
        }
      }
    } catch (err) {
      throw classifyProviderError(err, { provider: this.name, signal, secrets: [this.options.apiKey] });
    }
    if (signal.aborted) throw abortError(signal);
    yield tally.finish();
  }

  private parameters(request: ProviderRequest, signal: AbortSignal): GenerateContentParameters {
    const { params } = request;
    const system = request.messages.filter(isInstruction).map(messageText).join('\n\n');
    return {
      model: this.options.upstreamModel,
      contents: toGeminiContents(request.messages.filter((m) => !isInstruction(m))),
      config: {
        abortSignal: signal,
        ...(system && { systemInstruction: { parts: [{ text: system }] } }),
        ...(params.max_tokens !== undefined && { maxOutputTokens: params.max_tokens }),
        ...(params.temperature !== undefined && { temperature: params.temperature }),
        ...(params.top_p !== undefined && { topP: params.top_p }),
        ...(params.stop !== undefined && params.stop.length > 0 && { stopSequences: params.stop }),
        ...(params.tools !== undefined && params.tools.length > 0 && { tools: toGeminiTools(params.tools) }),
        ...(params.tools?.length && params.tool_choice !== undefined && { toolConfig: toGeminiToolConfig(params.tool_choice) }),
      },
    };
  }
}

function isInstruction(message: ChatMessage): boolean {
  return message.role === 'system' || message.role === 'developer';
}

/** The visible text parts of the first candidate; thought summaries are not part of the answer. */
function textsOf(response: GenerateContentResponse): string[] {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.flatMap((p) => (typeof p.text === 'string' && p.text.length > 0 && !p.thought ? [p.text] : []));
}

/** The function calls of the first candidate. */
function functionCallsOf(response: GenerateContentResponse): FunctionCall[] {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.flatMap((p) => (p.functionCall ? [p.functionCall] : []));
}
