import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger as Pino } from 'pino';
import { createPinoLogger, PINO_LEVELS, type PinoLoggerOptions } from './pino-logger.factory';

/** From the least severe: the first of these a Nest level list holds sets the threshold. */
const LEAST_SEVERE_FIRST: readonly LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/** A Nest stack trace, as Nest's own ConsoleLogger recognises one. */
const STACK = /^(.)+\n\s+at .+:\d+:\d+/;

/**
 * Nest's LoggerService over pino: what Nest and every `new Logger(X.name)` write goes through here, with the
 * class name as `context`.
 *
 * Deliberately not nestjs-pino: what it adds is pino-http, a line per request with its headers and URL. API keys
 * travel in `Authorization` / `X-API-Key` and in `?api_key=` on stream routes, so each line would carry a key that
 * only redaction stands between and the log; it would also cost a line per request on the submit path. Requests
 * are traced instead (the tracing interceptor), and Fastify's own logger stays off for the same reason.
 */
export class PinoNestLogger implements LoggerService {
  readonly pino: Pino;
  /** JSON lines or pretty text, as LOG_FORMAT and stdout decided. */
  readonly format: 'json' | 'pretty';
  /** Writes at `info` whatever the level: lines a supervisor or a person waits for. */
  private readonly always: Pino;

  constructor(options: PinoLoggerOptions) {
    ({ pino: this.pino, format: this.format } = createPinoLogger(options));
    this.always = this.pino.child({}, { level: 'info' });
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** `error(message, stack?, context?)`, as Nest calls it; a stack goes where an Error's would, in `err.stack`. */
  error(message: unknown, ...params: unknown[]): void {
    if (!this.pino.isLevelEnabled('error')) return;
    let context: string | undefined;
    let stack: string | undefined;
    let rest = params;
    if (params.length === 1 && isStack(params[0])) [stack] = params as [string];
    else {
      ({ context, rest } = splitContext(params));
      // Nest's Logger passes `undefined` in the stack's place when there is none.
      if (rest.length > 0 && (typeof rest[rest.length - 1] === 'string' || rest[rest.length - 1] === undefined)) {
        stack = rest[rest.length - 1] as string | undefined;
        rest = rest.slice(0, -1);
      }
    }
    this.emit(this.pino, 'error', message, context, rest, stack);
  }

  /** The ready line, and the banner in JSON mode: one `info` record, written whatever LOG_LEVEL says. */
  announce(message: string, context?: string): void {
    this.emit(this.always, 'info', message, context, []);
  }

  setLogLevels(levels: LogLevel[]): void {
    const least = LEAST_SEVERE_FIRST.find((l) => levels.includes(l));
    this.pino.level = least ? PINO_LEVELS[least] : 'silent';
  }

  /** Nest's convention: a trailing string among several arguments is the context. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const { context, rest } = splitContext(params);
    this.emit(this.pino, level, message, context, rest);
  }

  private emit(target: Pino, level: Level, message: unknown, context: string | undefined, rest: unknown[], stack?: string): void {
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    let msg: string;
    if (typeof message === 'string') msg = message;
    else if (message instanceof Error) {
      msg = message.message;
      fields.err = message;
    } else if (message !== null && typeof message === 'object') {
      msg = '';
      fields.data = message;
    } else msg = String(message);
    if (stack !== undefined) fields.err ??= { type: 'Error', message: msg, stack };
    if (rest.length > 0) fields.details = rest;
    target[level](fields, msg);
  }
}

function isStack(value: unknown): boolean {
  return typeof value === 'string' && STACK.test(value);
}

function splitContext(params: unknown[]): { context: string | undefined; rest: unknown[] } {
  const last = params[params.length - 1];
  return typeof last === 'string' ? { context: last, rest: params.slice(0, -1) } : { context: undefined, rest: params };
}
