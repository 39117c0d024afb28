import type { MetricDefinition } from './metrics.registry';

/**
 * Every Conveyor series, in one place: names, help and label names. Label values are bounded by construction:
 * route templates (never raw URLs), HTTP methods and status codes, catalogue model and deployment names (a request
 * naming anything else is refused before it is counted), the three bands, and fixed outcome sets. No tenant id,
 * key or job id is ever a label.
 */

/** Seconds. HTTP answers, provider calls: from a millisecond to a long generation. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds a job waits in its band: from immediate to an hours-long backlog. */
const QUEUE_WAIT_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** Seconds a worker spends on a job: provider calls, retries and fallbacks included. */
const PROCESSING_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export const HTTP_REQUESTS = {
  name: 'conveyor_http_requests_total',
  help: 'HTTP requests answered, by route template (unmatched for no route), method and status code.',
  labelNames: ['route', 'method', 'status'],
} as const satisfies MetricDefinition;

export const HTTP_DURATION = {
  name: 'conveyor_http_request_duration_seconds',
  help: 'Time from a request to its answer, by route template and method (a stream counts until it ends).',
  labelNames: ['route', 'method'],
  buckets: LATENCY_BUCKETS,
} as const satisfies MetricDefinition;

export const JOBS_SUBMITTED = {
  name: 'conveyor_jobs_submitted_total',
  help: 'Jobs accepted (committed and confirmed by the broker), by model and priority band.',
  labelNames: ['model', 'priority'],
} as const satisfies MetricDefinition;

export const JOBS_STARTED = {
  name: 'conveyor_jobs_started_total',
  help: 'Job runs started by a worker (a redelivered job counts again), by model and priority band.',
  labelNames: ['model', 'priority'],
} as const satisfies MetricDefinition;

export const JOBS_FINISHED = {
  name: 'conveyor_jobs_finished_total',
  help: 'Jobs ended, by outcome (completed, failed, cancelled, expired), model and priority band, counted where the end is decided.',
  labelNames: ['outcome', 'model', 'priority'],
} as const satisfies MetricDefinition;

export const JOB_QUEUE_WAIT = {
  name: 'conveyor_job_queue_wait_seconds',
  help: 'Time from a job being accepted to its first start, by priority band.',
  labelNames: ['priority'],
  buckets: QUEUE_WAIT_BUCKETS,
} as const satisfies MetricDefinition;

export const JOB_PROCESSING = {
  name: 'conveyor_job_processing_seconds',
  help: "A job run's time on its worker, from start to its end, by model and outcome.",
  labelNames: ['model', 'outcome'],
  buckets: PROCESSING_BUCKETS,
} as const satisfies MetricDefinition;

export const TOKENS = {
  name: 'conveyor_tokens_total',
  help: 'Tokens of completed jobs, by model and direction (input: prompt, output: completion).',
  labelNames: ['model', 'direction'],
} as const satisfies MetricDefinition;

export const PROVIDER_CALLS = {
  name: 'conveyor_provider_calls_total',
  help: 'Calls to model deployments, by deployment, provider and outcome (ok, error, aborted).',
  labelNames: ['deployment', 'provider', 'outcome'],
} as const satisfies MetricDefinition;

export const PROVIDER_LATENCY = {
  name: 'conveyor_provider_call_duration_seconds',
  help: 'Time of one call to a deployment, to its last chunk or its error, by deployment and provider.',
  labelNames: ['deployment', 'provider'],
  buckets: LATENCY_BUCKETS,
} as const satisfies MetricDefinition;

export const QUEUE_DEPTH = {
  name: 'conveyor_queue_depth',
  help: "Messages ready in a priority band's queues (its shard queues conveyor.jobs.<band>.<k> summed), read from the broker on scrape.",
  labelNames: ['band'],
} as const satisfies MetricDefinition;

export const QUEUE_CONSUMERS = {
  name: 'conveyor_queue_consumers',
  help: "Consumers of a priority band's queues (the most on one shard), read from the broker on scrape.",
  labelNames: ['band'],
} as const satisfies MetricDefinition;

export const OPEN_STREAMS = {
  name: 'conveyor_open_streams',
  help: 'Streams (SSE, NDJSON and streamed chat answers) this process is serving now.',
  labelNames: [],
} as const satisfies MetricDefinition;

export const WEBHOOK_DELIVERIES = {
  name: 'conveyor_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by what followed: succeeded, retrying (a failed attempt with retries left), dead (gone, disabled or retries exhausted).',
  labelNames: ['outcome'],
} as const satisfies MetricDefinition;

export const BROKER_UP = {
  name: 'conveyor_broker_up',
  help: '1 while this process is connected to the broker and able to publish, else 0.',
  labelNames: [],
} as const satisfies MetricDefinition;

export const DATABASE_UP = {
  name: 'conveyor_database_up',
  help: '1 if the database answered a ping during this scrape, else 0.',
  labelNames: [],
} as const satisfies MetricDefinition;
