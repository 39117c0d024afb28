export * from './telemetry.sdk';
export * from './trace-context.util';
