import type { LogLevel } from '@nestjs/common';

const ORDER = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Nest's logger levels for LOG_LEVEL: that level and every more severe one. */
export function nestLogLevels(level: (typeof ORDER)[number]): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(level) + 1);
}
