import { Injectable } from '@nestjs/common';

/** How many job ids a worker remembers having started; past it the oldest go. */
const MAX_REMEMBERED = 100_000;

/**
 * The jobs this worker started recently. A copy of a job sent by the orphan sweep may arrive while its first
 * message runs here, or just after, before persistence has recorded the start: the copy then reads a row that
 * still says `queued`. Knowing what ran here closes that gap without a read.
 */
@Injectable()
export class StartedHereRegistry {
  private readonly ids = new Set<string>();

  add(jobId: string): void {
    if (this.ids.has(jobId)) return;
    if (this.ids.size >= MAX_REMEMBERED) this.ids.delete(this.ids.values().next().value!);
    this.ids.add(jobId);
  }

  has(jobId: string): boolean {
    return this.ids.has(jobId);
  }
}
