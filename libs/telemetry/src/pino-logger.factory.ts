import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Level, type Logger as Pino } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { currentJobId } from './job-context.util';
import { REDACTED, redactPaths, scrubSecrets } from './log-redaction.util';

/** LOG_LEVEL's values: Nest's names, from the most severe. */
export type ServiceLogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';
/** LOG_FORMAT's values. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Nest's level names as pino's. */
export const PINO_LEVELS: Readonly<Record<ServiceLogLevel | 'fatal', Level>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Where lines go (stdout unless a test passes its own); `isTTY` decides `auto`. */
export interface LogOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface PinoLoggerOptions {
  /** `service` on every line: gateway, inference, …, or embedded. */
  service: string;
  level: ServiceLogLevel;
  format: LogFormat;
  out?: LogOutput;
}

/** `auto` means JSON lines for log collectors and files, and text for a person at a terminal. */
export function resolveLogFormat(format: LogFormat, isTty: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (isTty ? 'pretty' : 'json') : format;
}

/**
 * The ids that tie a line to its trace and its job, read from the active OpenTelemetry span and the job context.
 * pino calls it only for lines it writes. The object must be new each time: pino merges the line's fields into it.
 */
function logContext(): Record<string, string> {
  const fields: Record<string, string> = {};
  const span = trace.getActiveSpan()?.spanContext();
  if (span && isSpanContextValid(span)) {
    fields.trace_id = span.traceId;
    fields.span_id = span.spanId;
  }
  const jobId = currentJobId();
  if (jobId !== undefined) fields.job_id = jobId;
  return fields;
}

/** Pretty-prints each JSON line synchronously, so a line written just before `process.exit` is not lost. */
function prettyOutput(out: LogOutput): DestinationStream {
  const prettify = prettyFactory({
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'service,context,job_id,trace_id,span_id',
    messageFormat: '{if context}[{context}] {end}{if job_id}(job {job_id}) {end}{msg}',
  });
  return { write: (line: string) => void out.write(prettify(line)) };
}

/**
 * The process's pino logger: JSON lines (`time`, `level`, `service`, `msg`, and `trace_id`, `span_id`, `job_id`
 * when there are any) or, on a terminal, pino-pretty's text. Secret fields are redacted by name, and every line is
 * scrubbed of secrets in text (URL passwords, bearer tokens, signing secrets) just before it is written.
 */
export function createPinoLogger(options: PinoLoggerOptions): { pino: Pino; format: 'json' | 'pretty' } {
  const stdout = options.out ?? pino.destination({ dest: 1, sync: true });
  const format = resolveLogFormat(options.format, options.out ? options.out.isTTY === true : process.stdout.isTTY === true);
  const logger = pino(
    {
      level: PINO_LEVELS[options.level],
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: logContext,
      redact: { paths: redactPaths(), censor: REDACTED },
      hooks: { streamWrite: scrubSecrets },
    },
    format === 'pretty' ? prettyOutput(stdout) : stdout,
  );
  return { pino: logger, format };
}
