export * from './telemetry.sdk';
export * from './trace-context.util';
export * from './job-context.util';
export * from './log-redaction.util';
export * from './pino-logger.factory';
export * from './pino-nest.logger';
