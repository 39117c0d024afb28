import './instrumentation';
import { loadConfig } from '@conveyor/config';
import { launchEmbedded } from './embedded.launcher';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { embedded: true });
  const system = await launchEmbedded(config);
  const base = system.url.replace('0.0.0.0', 'localhost');
  const streams = system.streamingUrl.replace('0.0.0.0', 'localhost');
  // Only the public demo key is ever printed; a configured key is a secret.
  const key = config.auth.demoKeys ? 'tok-alice-secret' : '<your API key>';
  console.log(`
Conveyor is running (embedded: broker=${system.broker}, database=${system.database}) on ${base}
Try it:
  curl -s -X POST ${base}/v1/chat/completions \\
    -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\
    -d '{"messages": [{"role": "user", "content": "Hello"}]}'
  curl -s -H "Authorization: Bearer ${key}" ${base}/v1/jobs/<job_id>
Stream a job (SSE; the streaming service also answers on ${streams}):
  curl -N -H "Authorization: Bearer ${key}" ${base}/v1/jobs/<job_id>/stream
`);
  const stop = async (signal: string) => {
    console.log(`${signal}: stopping`);
    await system.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
