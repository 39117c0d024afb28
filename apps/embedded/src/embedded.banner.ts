import { DEMO_ADMIN_API_KEY, hashApiKey, type ConveyorConfig } from '@conveyor/config';
import type { EmbeddedSystem } from './embedded.launcher';

/** What `npm start` prints once it is up: where it listens and a request to try. */
export function bannerOf(system: EmbeddedSystem, config: ConveyorConfig, settingsKeyNote: string | null = null): string {
  const base = system.url.replace('0.0.0.0', 'localhost');
  // Only the public demo key is ever printed; a configured key is a secret.
  const key = config.auth.demoKeys ? 'tok-alice-secret' : '<your API key>';
  const exposure = config.http.loopbackForDemoKeys
    ? `
The well-known demo keys are enabled, so Conveyor listens on loopback (127.0.0.1) only. To serve other machines,
set API_KEYS to keys of your own, and HOST=0.0.0.0.
`
    : config.auth.demoKeys && !['127.0.0.1', '::1', 'localhost'].includes(config.http.host)
      ? `
Warning: the well-known demo keys are enabled and HOST=${config.http.host} was set explicitly: anyone who can reach
this address can use them. Set API_KEYS to keys of your own.
`
      : '';
  // The demo admin key is public too (docs/admin.md); a configured admin key is never printed.
  const admin = config.auth.adminKeyHashes.includes(hashApiKey(DEMO_ADMIN_API_KEY))
    ? `
Operate it (tenants, API keys, dead letters, workers; docs/admin.md), with the demo admin key:
  curl -s -H "Authorization: Bearer ${DEMO_ADMIN_API_KEY}" ${base}/v1/admin/tenants
`
    : '';
  return `
Conveyor is running (embedded: broker=${system.broker}, database=${system.database}) on ${base}
${exposure}
Try it:
  curl -s -X POST ${base}/v1/chat/completions \\
    -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\
    -d '{"messages": [{"role": "user", "content": "Hello"}]}'
  curl -s -H "Authorization: Bearer ${key}" ${base}/v1/jobs/<job_id>

Stream a job (SSE):
  curl -N -H "Authorization: Bearer ${key}" ${base}/v1/jobs/<job_id>/stream

Every route, the seeds' own included (/generate, /complete, /chat…): ${base}/docs
The web console (sign in with an API key): ${base}/console
${admin}${settingsKeyNote ? `\n${settingsKeyNote}\n` : ''}`;
}
