import { DoorbellThrottle, type ThrottleClock } from './doorbell-throttle';

class ManualClock implements ThrottleClock {
  t = 100;
  timer: { callback: () => void; due: number } | null = null;
  now(): number {
    return this.t;
  }
  set(callback: () => void, ms: number): unknown {
    this.timer = { callback, due: this.t + ms };
    return this.timer;
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timer;
    if (due && due.due <= this.t) {
      this.timer = null;
      due.callback();
    }
  }
}

function setUp(windowMs = 2) {
  const clock = new ManualClock();
  let rings = 0;
  const throttle = new DoorbellThrottle(windowMs, () => void rings++, clock);
  return { clock, throttle, rings: () => rings };
}

describe('DoorbellThrottle', () => {
  it('rings at once for the first job after a quiet spell', () => {
    const { throttle, rings, clock } = setUp();
    throttle.jobPublished();
    expect(rings()).toBe(1);
    clock.advance(5);
    throttle.jobPublished();
    expect(rings()).toBe(2);
  });

  it('gives the jobs of one window a single ring at its end, never leaving the last job without one', () => {
    const { throttle, rings, clock } = setUp();
    throttle.jobPublished();
    clock.advance(0.5);
    throttle.jobPublished();
    throttle.jobPublished();
    clock.advance(0.5);
    throttle.jobPublished();
    expect(rings()).toBe(1);
    clock.advance(1);
    expect(rings()).toBe(2); // the window's trailing ring, 2 ms after the first
    clock.advance(10);
    expect(rings()).toBe(2);
  });
});
