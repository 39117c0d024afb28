import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigException, type CatalogDeployment, type ConveyorConfig } from '@conveyor/config';
import type { LlmProvider } from '../providers/llm-provider.port';
import { AnthropicProvider } from '../providers/anthropic.provider';
import { GeminiProvider } from '../providers/gemini.provider';
import { OpenAiCompatibleProvider } from '../providers/openai-compatible.provider';
import { SimulatedProvider } from '../providers/simulated.provider';

/**
 * One provider client per catalogue deployment, built when the worker starts. Building them all up front means a
 * missing key or unreadable key file stops the worker with one message naming every broken deployment, instead
 * of failing the first job routed there (the inference module builds it before Nest starts, so the message is
 * printed as is). Keys are handed to the clients and kept nowhere else. A tenant's own key for a deployment
 * (`/v1/settings`) gets a client of its own, kept (up to TENANT_CLIENTS, least recently used first out) by the
 * key's hash, never by the key.
 */
export class ProviderFactory {
  private readonly providers = new Map<string, LlmProvider>();
  private readonly tenantClients = new Map<string, LlmProvider>();

  constructor(
    private readonly config: ConveyorConfig,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const problems: string[] = [];
    for (const deployment of config.models.models.flatMap((m) => m.deployments)) {
      try {
        this.providers.set(deployment.id, this.create(deployment, resolveApiKey(deployment, env)));
      } catch (err) {
        problems.push(`MODEL_CATALOG_FILE: ${(err as Error).message}`);
      }
    }
    if (problems.length > 0) throw new ConfigException(problems);
  }

  /** The client of a deployment of the catalogue this factory was built from; with `ownKey`, one calling with the tenant's key. */
  get(deployment: CatalogDeployment, ownKey?: string): LlmProvider {
    const provider = this.providers.get(deployment.id);
    if (!provider) throw new Error(`deployment "${deployment.id}" is not in the catalogue`);
    if (ownKey === undefined) return provider;
    const id = `${deployment.id}\u0000${createHash('sha256').update(ownKey).digest('hex')}`;
    let client = this.tenantClients.get(id);
    if (client) this.tenantClients.delete(id);
    else client = this.create(deployment, ownKey);
    this.tenantClients.set(id, client);
    if (this.tenantClients.size > TENANT_CLIENTS) this.tenantClients.delete(this.tenantClients.keys().next().value!);
    return client;
  }

  private create(deployment: CatalogDeployment, apiKey: string | undefined): LlmProvider {
    const common = { name: deployment.id, upstreamModel: deployment.upstream_model, timeoutMs: this.config.routing.callTimeoutMs };
    switch (deployment.provider) {
      case 'simulated':
        return new SimulatedProvider(this.config.simulated);
      case 'openai':
        return new OpenAiCompatibleProvider({ ...common, baseURL: deployment.base_url, apiKey });
      case 'anthropic':
        return new AnthropicProvider({ ...common, baseURL: deployment.base_url, apiKey: requireKey(deployment, apiKey) });
      case 'gemini':
        // Its SDK's timeout bounds the whole streamed answer, not just its start: only the job's deadline fits.
        return new GeminiProvider({
          ...common,
          timeoutMs: this.config.routing.deadlineMs,
          baseURL: deployment.base_url,
          apiKey: requireKey(deployment, apiKey),
        });
    }
  }
}

/** Clients built for tenants' own keys that are kept for reuse. */
const TENANT_CLIENTS = 256;

/** The catalogue already insists on a key reference for these providers; this makes the guarantee explicit. */
function requireKey(deployment: CatalogDeployment, apiKey: string | undefined): string {
  if (!apiKey) throw new Error(`deployment "${deployment.id}": a ${deployment.provider} deployment needs api_key_env or api_key_file`);
  return apiKey;
}

/**
 * The API key of a deployment, from the environment variable or the file (a mounted secret) the catalogue
 * names; undefined when it names neither (a local server). Throws a message naming the deployment and where the
 * key was expected — never the key — so a missing key stops the worker at start-up, not at the first request.
 */
function resolveApiKey(deployment: CatalogDeployment, env: NodeJS.ProcessEnv): string | undefined {
  if (deployment.api_key_env) {
    const key = env[deployment.api_key_env]?.trim();
    if (!key) throw new Error(`deployment "${deployment.id}": environment variable ${deployment.api_key_env} (its API key) is not set`);
    return key;
  }
  if (deployment.api_key_file) {
    let key: string;
    try {
      key = readFileSync(deployment.api_key_file, 'utf8').trim();
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new Error(`deployment "${deployment.id}": cannot read api_key_file ${deployment.api_key_file} (${reason})`);
    }
    if (!key) throw new Error(`deployment "${deployment.id}": api_key_file ${deployment.api_key_file} is empty`);
    return key;
  }
  return undefined;
}
