import { BenchUpstream } from './mock-upstream.server';

/** Runs the bench upstream as its own process (so its CPU is not the harness's): `PORT=… tsx mock-upstream.main.ts`. */
void BenchUpstream.start(Number(process.env.PORT ?? 0)).then((upstream) => {
  console.log(`bench upstream listening on ${upstream.url}`);
  process.once('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
});
