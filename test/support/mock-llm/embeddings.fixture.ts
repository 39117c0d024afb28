import type { Reply } from './mock-upstream.server';

/** The mock's vectors' length when a request names no `dimensions`. */
export const MOCK_EMBEDDING_DIMENSIONS = 8;

/**
 * The mock's vector for a text: a function of the text's characters that a test can compute too, so it can check
 * each input's vector came back in its place. Not normalised: nothing on Conveyor's path may change the values.
 */
export function mockEmbedding(text: string, dimensions = MOCK_EMBEDDING_DIMENSIONS): number[] {
  const codes = [...text].map((c) => c.codePointAt(0)!);
  return Array.from({ length: dimensions }, (_, j) => ((codes[j % codes.length]! * (j + 1)) % 1000) / 1000 - 0.5);
}

/** Tokens the mock reports per input: its words. */
const tokensOf = (texts: readonly string[]) => texts.reduce((sum, t) => sum + t.split(/\s+/).filter(Boolean).length, 0);

export interface OpenAiEmbeddingsOptions {
  /** Answer float arrays even when base64 is asked for, as some OpenAI-compatible servers do. */
  alwaysFloat?: boolean;
  /** Leave `usage` out, as some servers do. */
  noUsage?: boolean;
}

/**
 * OpenAI's `POST /v1/embeddings` on the wire: `{object: "list", data: [{object: "embedding", index, embedding}],
 * model, usage: {prompt_tokens, total_tokens}}`, one vector per input of `dimensions` (else 8) values, as float
 * arrays, or little-endian float32 in base64 when `encoding_format` says so (what the openai SDK asks for).
 */
export function openAiEmbeddingsReply(options: OpenAiEmbeddingsOptions = {}): Reply {
  return (res, _req, recorded) => {
    const body = recorded.body as { input: string | string[]; model: string; dimensions?: number; encoding_format?: string };
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const base64 = body.encoding_format === 'base64' && !options.alwaysFloat;
    const data = inputs.map((text, index) => {
      const vector = mockEmbedding(text, body.dimensions);
      return { object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector };
    });
    const usage = { prompt_tokens: tokensOf(inputs), total_tokens: tokensOf(inputs) };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data, model: body.model, ...(!options.noUsage && { usage }) }));
  };
}

/**
 * Gemini's `POST /v1beta/models/{model}:batchEmbedContents`: `{requests: [{model, content: {parts: [{text}]},
 * outputDimensionality}]}` answered `{embeddings: [{values}]}`, in order. Gemini reports no tokens here.
 */
export function geminiEmbeddingsReply(): Reply {
  return (res, _req, recorded) => {
    const body = recorded.body as { requests: Array<{ content: { parts: Array<{ text: string }> }; outputDimensionality?: number }> };
    const embeddings = body.requests.map((r) => ({ values: mockEmbedding(r.content.parts.map((p) => p.text).join(''), r.outputDimensionality) }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ embeddings }));
  };
}

function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}
