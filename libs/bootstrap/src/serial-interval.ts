/**
 * Runs a task every `everyMs`, one run at a time: a run that overruns delays the next instead of overlapping it,
 * and a failed run is reported and the next goes ahead. The timer keeps no process alive; `stop` waits for the
 * run in progress (the sweepers' loops).
 */
export class SerialInterval {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly onError: (err: Error) => void,
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.task().then(() => undefined)).catch(this.onError);
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
