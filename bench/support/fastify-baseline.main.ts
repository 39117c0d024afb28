import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

/**
 * The bare baseline for the 202 path: Fastify alone, one route that checks a bearer key, validates an OpenAI-style
 * chat body with a JSON schema (Fastify's compiled ajv validator) and answers 202 with a job-shaped body — what
 * Conveyor's submit does minus the database row and the confirmed broker publish. Run as its own process:
 * `PORT=… node --import tsx fastify-baseline.main.ts`; prints `listening on <url>` when ready.
 */
const KEY = process.env.BASELINE_KEY ?? 'bench';

const message = {
  type: 'object',
  required: ['role', 'content'],
  properties: {
    role: { enum: ['system', 'developer', 'user', 'assistant', 'tool'] },
    content: { type: 'string', maxLength: 1_000_000 },
    name: { type: 'string' },
  },
};
const body = {
  type: 'object',
  required: ['messages'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    messages: { type: 'array', minItems: 1, maxItems: 1024, items: message },
    max_tokens: { type: 'integer', minimum: 1, maximum: 32768 },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    top_p: { type: 'number', minimum: 0, maximum: 1 },
    priority: { anyOf: [{ enum: ['high', 'normal', 'medium', 'low'] }, { type: 'integer', minimum: -10, maximum: 10 }] },
    metadata: { type: 'object', maxProperties: 16, additionalProperties: { type: 'string' } },
  },
};

const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
app.post<{ Body: { model?: string } }>('/v1/chat/completions', { schema: { body } }, async (request, reply) => {
  if (request.headers.authorization !== `Bearer ${KEY}`)
    return reply.code(401).send({ error: { message: 'invalid key', type: 'invalid_request_error', param: null, code: null } });
  const id = randomUUID();
  void reply.code(202).header('location', `/v1/jobs/${id}`);
  return {
    object: 'job',
    job_id: id,
    status: 'queued',
    priority: 'normal',
    model: request.body.model ?? 'simulated',
    created_at: new Date().toISOString(),
    links: { self: `/v1/jobs/${id}`, status: `/v1/jobs/${id}/status`, cancel: `/v1/jobs/${id}/cancel` },
  };
});

void app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) }).then((url) => console.log(`fastify baseline listening on ${url}`));
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
