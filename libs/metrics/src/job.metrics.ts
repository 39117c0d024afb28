import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { JOB_PROCESSING, JOB_QUEUE_WAIT, JOBS_FINISHED, JOBS_STARTED, JOBS_SUBMITTED, TOKENS } from './metric-definitions';
import { MetricsRegistry } from './metrics.registry';

/** How a job ended, as the `outcome` label says it. */
export type JobEnd = 'completed' | 'failed' | 'cancelled' | 'expired';

/**
 * The job lifecycle, recorded where each step is decided: submissions and cancels of queued jobs by the gateway,
 * starts and ends of runs by the workers, expiries of queued jobs by whoever finds them (a worker or the
 * persistence sweeper). Each series is created when a service first records it, so a service exposes only its own.
 * Labels are the job's catalogue model and band.
 */
@Injectable()
export class JobMetrics {
  private submittedTotal?: Counter<'model' | 'priority'>;
  private startedTotal?: Counter<'model' | 'priority'>;
  private finishedTotal?: Counter<'outcome' | 'model' | 'priority'>;
  private queueWait?: Histogram<'priority'>;
  private processing?: Histogram<'model' | 'outcome'>;
  private tokensTotal?: Counter<'model' | 'direction'>;

  constructor(private readonly metrics: MetricsRegistry) {}

  submitted(model: string, priority: string): void {
    (this.submittedTotal ??= this.metrics.counter(JOBS_SUBMITTED)).labels(model, priority).inc();
  }

  /** A run started; `queuedForS` is given on a job's first start only (time since it was accepted). */
  started(model: string, priority: string, queuedForS?: number): void {
    (this.startedTotal ??= this.metrics.counter(JOBS_STARTED)).labels(model, priority).inc();
    if (queuedForS !== undefined) (this.queueWait ??= this.metrics.histogram(JOB_QUEUE_WAIT)).labels(priority).observe(Math.max(0, queuedForS));
  }

  /** A job ended; `processingS` is the run's time on its worker, when it ran. */
  finished(outcome: JobEnd, model: string, priority: string, processingS?: number): void {
    (this.finishedTotal ??= this.metrics.counter(JOBS_FINISHED)).labels(outcome, model, priority).inc();
    if (processingS !== undefined) (this.processing ??= this.metrics.histogram(JOB_PROCESSING)).labels(model, outcome).observe(Math.max(0, processingS));
  }

  tokens(model: string, input: number, output: number): void {
    const total = (this.tokensTotal ??= this.metrics.counter(TOKENS));
    if (input > 0) total.labels(model, 'input').inc(input);
    if (output > 0) total.labels(model, 'output').inc(output);
  }
}
