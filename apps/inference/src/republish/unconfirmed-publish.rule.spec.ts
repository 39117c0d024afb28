import { CLOCK_LEEWAY_MS, mayBeRefusedSubmission } from './unconfirmed-publish.rule';

describe('mayBeRefusedSubmission', () => {
  const consumingSince = Date.parse('2026-12-01T10:00:00.000Z');
  const publishTimeoutMs = 5_000;
  const at = (offsetMs: number) => new Date(consumingSince + offsetMs).toISOString();

  it('trusts a fresh message published after its consumer connected', () => {
    const created = consumingSince + CLOCK_LEEWAY_MS + 10;
    expect(mayBeRefusedSubmission(at(CLOCK_LEEWAY_MS + 10), consumingSince, publishTimeoutMs, created + 20)).toBe(false);
  });

  it('suspects a message published before the consumer (re)connected, or within the clock leeway after', () => {
    expect(mayBeRefusedSubmission(at(-4_000), consumingSince, publishTimeoutMs, consumingSince + 5)).toBe(true);
    expect(mayBeRefusedSubmission(at(CLOCK_LEEWAY_MS), consumingSince, publishTimeoutMs, consumingSince + CLOCK_LEEWAY_MS + 5)).toBe(true);
  });

  it('suspects a message that waited as long as the publish timeout, whose gateway may have given up on it', () => {
    const created = consumingSince + 60_000;
    expect(mayBeRefusedSubmission(at(60_000), consumingSince, publishTimeoutMs, created + publishTimeoutMs - 1)).toBe(false);
    expect(mayBeRefusedSubmission(at(60_000), consumingSince, publishTimeoutMs, created + publishTimeoutMs)).toBe(true);
  });

  it('suspects a message whose creation time cannot be read', () => {
    expect(mayBeRefusedSubmission('not a time', consumingSince, publishTimeoutMs, consumingSince + 60_000)).toBe(true);
  });
});
