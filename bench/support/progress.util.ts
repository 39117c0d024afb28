/**
 * Progress on stderr while a long run goes on: one line per step, prefixed with the elapsed time and the
 * scenario, so a watcher sees what is being measured now and the figures as they come in.
 */
export class Progress {
  private readonly started = Date.now();
  private scope = '';

  enter(scope: string): void {
    this.scope = scope;
    this.line('start');
  }

  line(message: string): void {
    const s = ((Date.now() - this.started) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${s}s] ${this.scope ? `${this.scope}: ` : ''}${message}\n`);
  }
}
