import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestTimeout } from './errors/error.mapper';
import { sendError } from './errors/openai-exception.filter';

/**
 * The whole-request time limit of non-streaming routes: a request not answered within `timeoutMs` of its arrival
 * gets a 408 in OpenAI's shape and its connection is closed. A stream (SSE, and the seeds' NDJSON and plain-text
 * streams) is exempt once it started: it is bounded by its writer's buffer cap instead. An answer stuck
 * half-written (a client that stopped reading) is cut.
 */
/** The content types of streamed answers, which end with their job rather than by a clock. */
const STREAMED = /^(text\/event-stream|application\/x-ndjson|text\/plain)/;

export function enforceRequestDeadline(fastify: FastifyInstance, timeoutMs: number): void {
  fastify.addHook('onRequest', (_request, reply, done) => {
    const timer = setTimeout(() => onDeadline(reply), timeoutMs);
    timer.unref();
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}

function onDeadline(reply: FastifyReply): void {
  const raw = reply.raw;
  if (raw.writableEnded || raw.destroyed) return;
  if (!raw.headersSent) {
    sendError(reply, requestTimeout());
    return;
  }
  if (!STREAMED.test(String(raw.getHeader('content-type') ?? ''))) raw.destroy();
}
