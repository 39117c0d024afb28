import type { CoalescerTimer } from './delta-coalescer';

/** A hand-driven clock and timer for specs: `advance(ms)` moves time on and runs the pending callback once it is due. */
export class ManualTimer implements CoalescerTimer {
  t = 1_000;
  pending: { callback: () => void; due: number } | null = null;
  now(): number {
    return this.t;
  }
  set(callback: () => void, ms: number): unknown {
    this.pending = { callback, due: this.t + ms };
    return this.pending;
  }
  clear(handle: unknown): void {
    if (this.pending === handle) this.pending = null;
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.pending;
    if (due && due.due <= this.t) {
      this.pending = null;
      due.callback();
    }
  }
}
