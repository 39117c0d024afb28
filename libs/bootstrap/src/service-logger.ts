import { Logger } from '@nestjs/common';
import { ConfigException, type ConveyorConfig } from '@conveyor/config';
import { PinoNestLogger } from '@conveyor/telemetry';

/** Until the settings are valid (a ConfigException), lines follow the terminal: text on one, JSON lines otherwise. */
const UNTIL_CONFIGURED = { logLevel: 'log', logFormat: 'auto' } as const;

/**
 * The process's logger, for Nest and for every `new Logger(X.name)`: those look Nest's static logger up on each
 * call, so setting it here, before the broker connects, also covers what is logged before the app exists.
 */
export function useServiceLogger(service: string, config: Pick<ConveyorConfig, 'logLevel' | 'logFormat'> = UNTIL_CONFIGURED): PinoNestLogger {
  const logger = new PinoNestLogger({ service, level: config.logLevel, format: config.logFormat });
  Logger.overrideLogger(logger);
  return logger;
}

/** A start that failed, as one record: invalid settings keep their list (a stack adds nothing there), anything else its stack. */
export function logStartFailure(logger: PinoNestLogger, err: unknown): void {
  if (err instanceof ConfigException) logger.fatal(err.message, 'Bootstrap');
  else logger.fatal(err instanceof Error ? err : String(err), 'Bootstrap');
}
