/** The default backoff between webhook attempts: 5 s, 30 s, 2 min, 10 min, 1 h (six attempts in all). */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '5000,30000,120000,600000,3600000';

/** The longest one step of the schedule may be: a day. */
const MAX_STEP_MS = 86_400_000;

/**
 * Parses WEBHOOK_RETRY_SCHEDULE_MS: comma-separated delays in milliseconds, one per retry after the first
 * attempt, each 1 ms … 24 h. An empty schedule is allowed and means "one attempt, no retries".
 * Answers null for anything else, so the config loader reports the setting by name.
 */
export function parseRetrySchedule(text: string): number[] | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  const steps = trimmed.split(',').map((part) => part.trim());
  if (!steps.every((s) => /^\d+$/.test(s))) return null;
  const delays = steps.map(Number);
  return delays.every((d) => d >= 1 && d <= MAX_STEP_MS) ? delays : null;
}

/** Parses WEBHOOK_ALLOWED_HOSTS: host names, IP addresses or CIDR ranges, separated by commas or spaces. */
export function parseAllowedHosts(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}
