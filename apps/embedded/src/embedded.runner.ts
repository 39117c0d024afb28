import { logStartFailure, stopOnSignals, useServiceLogger } from '@conveyor/bootstrap';
import { loadConfig } from '@conveyor/config';
import type { PinoNestLogger } from '@conveyor/telemetry';
import { launchEmbedded } from './embedded.launcher';
import { bannerOf } from './embedded.banner';
import { embeddedSettingsKey } from './settings-key';

/** `npm start`: the whole system in one process, with its banner; exits 1 with the reason if it cannot start. */
export async function runEmbedded(): Promise<void> {
  let logger: PinoNestLogger | undefined;
  try {
    const { config, note } = embeddedSettingsKey(loadConfig(process.env, { embedded: true }));
    logger = useServiceLogger('embedded', config);
    const system = await launchEmbedded(config, logger);
    stopOnSignals(system);
    // The banner is help for a person at a terminal: plain text there, one record (written whatever LOG_LEVEL says) in JSON.
    const banner = bannerOf(system, config, note);
    if (logger.format === 'pretty') process.stdout.write(`${banner}\n`);
    else logger.announce(banner.trim(), 'Embedded');
  } catch (err: unknown) {
    logStartFailure(logger ?? useServiceLogger('embedded'), err);
    process.exit(1);
  }
}
