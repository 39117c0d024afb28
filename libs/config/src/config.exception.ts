/** Thrown at start-up when the environment is invalid; the message lists every problem, one per line. */
export class ConfigException extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigException';
  }
}
