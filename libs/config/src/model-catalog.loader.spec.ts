import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigException } from './config.exception';
import { loadConfig } from './conveyor-config';
import { loadModelCatalog, parseModelCatalog } from './model-catalog.loader';
import { BUILTIN_CATALOG, catalogNames, defaultEmbeddingModel, modelKindOf } from './model-catalog.schema';

const VALID = {
  models: [
    {
      name: 'gpt-4o',
      deployments: [{ id: 'openai-gpt-4o', provider: 'openai', upstream_model: 'gpt-4o', api_key_env: 'OPENAI_API_KEY', rpm: 500, weight: 2 }],
    },
    {
      name: 'claude-sonnet',
      deployments: [{ id: 'anthropic-sonnet', provider: 'anthropic', upstream_model: 'claude-sonnet-4-5', api_key_file: '/run/secrets/anthropic' }],
    },
    { name: 'llama3', deployments: [{ id: 'ollama-llama3', provider: 'openai', upstream_model: 'llama3.2', base_url: 'http://localhost:11434/v1' }] },
  ],
  groups: [
    { name: 'quality', models: ['gpt-4o', 'claude-sonnet'], fallback_groups: ['fast'] },
    { name: 'fast', models: ['llama3'] },
  ],
};

function problemsOf(raw: unknown): string[] {
  const result = parseModelCatalog(raw);
  if (result.ok) throw new Error('expected the catalogue to be rejected');
  return result.problems;
}

describe('the model catalogue', () => {
  it('accepts a catalogue of models, groups and fallbacks, and names models then groups', () => {
    const result = parseModelCatalog(VALID);
    expect(result.ok).toBe(true);
    if (result.ok) expect(catalogNames(result.catalog)).toEqual(['gpt-4o', 'claude-sonnet', 'llama3', 'quality', 'fast']);
  });

  it('accepts the example shipped in deploy/, with seed 003\'s "quality" and "fast" groups', () => {
    const result = loadModelCatalog(join(__dirname, '../../../deploy/models.example.json'));
    expect(result).toEqual({
      ok: true,
      catalog: expect.objectContaining({
        groups: expect.arrayContaining([expect.objectContaining({ name: 'quality' }), expect.objectContaining({ name: 'fast' })]),
      }),
    });
  });

  it('defaults to the built-in catalogue: the simulated model, and seed 003 groups over simulated deployments', () => {
    expect(loadModelCatalog(undefined)).toEqual({ ok: true, catalog: BUILTIN_CATALOG });
    expect(catalogNames(BUILTIN_CATALOG)).toEqual(['simulated', 'simulated-quality', 'simulated-fast', 'simulated-embedding', 'quality', 'fast']);
    expect(BUILTIN_CATALOG.models.flatMap((m) => m.deployments).every((d) => d.provider === 'simulated')).toBe(true);
  });

  it('lists every shape problem at once, each with its path', () => {
    const problems = problemsOf({
      models: [
        {
          name: 'bad name!',
          deployments: [
            { id: 'a', provider: 'mistral', upstream_model: '', base_url: 'ftp://x', api_key_env: 'not-a-var', rpm: 0, weight: -1, secret: 'sk-x' },
          ],
        },
        { name: 'empty', deployments: [] },
      ],
      groups: [{ name: 'g', models: [] }],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^models\[0\]\.name: /),
      expect.stringMatching(/^models\[0\]\.deployments\[0\]\.provider: must be one of: simulated, openai, anthropic, gemini/),
      expect.stringMatching(/^models\[0\]\.deployments\[0\]\.upstream_model: must not be empty/),
      expect.stringMatching(/^models\[0\]\.deployments\[0\]\.base_url: must be an http/),
      expect.stringMatching(/^models\[0\]\.deployments\[0\]\.api_key_env: must be an environment variable name/),
      expect.stringMatching(/^models\[0\]\.deployments\[0\]\.rpm: must be at least 1/),
      expect.stringMatching(/^models\[0\]\.deployments\[0\]\.weight: must be greater than 0/),
      expect.stringMatching(/^models\[0\]\.deployments\[0\]: .*secret/),
      expect.stringMatching(/^models\[1\]\.deployments: a model needs at least one deployment/),
      expect.stringMatching(/^groups\[0\]\.models: a group needs at least one model/),
    ]);
  });

  it('accepts prices per million tokens on models and groups, and rejects a negative one by its path', () => {
    const priced = {
      models: [{ ...VALID.models[0]!, input_price_per_mtok: 2.5, output_price_per_mtok: 10 }, ...VALID.models.slice(1)],
      groups: [{ ...VALID.groups[0]!, input_price_per_mtok: 3 }, VALID.groups[1]!],
    };
    expect(parseModelCatalog(priced).ok).toBe(true);
    expect(problemsOf({ ...priced, models: [{ ...priced.models[0]!, output_price_per_mtok: -1 }, ...priced.models.slice(1)] })).toEqual([
      'models[0].output_price_per_mtok: must be 0 or more',
    ]);
  });

  it('keeps embedding models on providers with an embeddings API, and each group to one kind of model', () => {
    const embed = (name: string, provider = 'simulated') => ({
      name,
      kind: 'embedding',
      deployments: [{ id: name, provider, upstream_model: 'e', api_key_env: 'K' }],
    });
    const chat = { name: 'chat', deployments: [{ id: 'chat', provider: 'simulated', upstream_model: 's' }] };
    expect(parseModelCatalog({ models: [embed('e1'), embed('e2', 'openai'), embed('e3', 'gemini')], groups: [{ name: 'eg', models: ['e1', 'e2'] }] }).ok).toBe(
      true,
    );
    expect(
      problemsOf({
        models: [chat, embed('e1'), embed('claude', 'anthropic')],
        groups: [
          { name: 'mixed', models: ['e1', 'chat'] },
          { name: 'chats', models: ['chat'], fallback_groups: ['embeds'] },
          { name: 'embeds', models: ['e1'] },
        ],
      }),
    ).toEqual([
      'models[2].deployments[0] ("claude"): anthropic has no embeddings API; an embedding model\'s deployments are simulated, openai, gemini',
      'groups[0].models[1]: "chat" is a chat model, the group\'s first is embedding',
      'groups[1].fallback_groups[0]: "embeds" is a group of embedding models, this one of chat',
    ]);
    expect(problemsOf({ models: [{ ...chat, kind: 'vision' }] })).toEqual(['models[0].kind: must be one of: chat, embedding']);
  });

  it('tells a model or group answering embeddings from one answering chat, and picks the first embedding model as the default', () => {
    expect(modelKindOf(BUILTIN_CATALOG, 'simulated-embedding')).toBe('embedding');
    expect(modelKindOf(BUILTIN_CATALOG, 'quality')).toBe('chat');
    expect(modelKindOf(BUILTIN_CATALOG, 'nope')).toBeUndefined();
    expect(defaultEmbeddingModel(BUILTIN_CATALOG)).toBe('simulated-embedding');
    expect(defaultEmbeddingModel({ models: [BUILTIN_CATALOG.models[0]!], groups: [] })).toBeUndefined();
  });

  it('lists every broken reference and duplicate at once', () => {
    const problems = problemsOf({
      models: [
        { name: 'm', deployments: [{ id: 'd1', provider: 'simulated', upstream_model: 's' }] },
        { name: 'm', deployments: [{ id: 'd1', provider: 'openai', upstream_model: 'x', api_key_env: 'A', api_key_file: '/k' }] },
        {
          name: 'keyless',
          deployments: [
            { id: 'd2', provider: 'gemini', upstream_model: 'g' },
            { id: 'd3', provider: 'openai', upstream_model: 'o' },
          ],
        },
      ],
      groups: [
        { name: 'm', models: ['m'] },
        { name: 'g', models: ['nope'], fallback_groups: ['g', 'missing'] },
        { name: 'g', models: ['m'] },
      ],
    });
    expect(problems).toEqual([
      'models[1].name: "m" is listed twice',
      'models[1].deployments[0].id: "d1" is used by another deployment',
      'models[1].deployments[0]: set api_key_env or api_key_file, not both',
      'models[2].deployments[0] ("d2"): a gemini deployment needs api_key_env or api_key_file',
      'models[2].deployments[1] ("d3"): an openai deployment without base_url talks to OpenAI itself and needs api_key_env or api_key_file',
      'groups[0].name: "m" is also a model\'s name',
      'groups[1].models[0]: no model is named "nope"',
      'groups[1].fallback_groups[0]: a group cannot fall back to itself',
      'groups[1].fallback_groups[1]: no group is named "missing"',
      'groups[2].name: "g" is listed twice',
    ]);
  });

  describe('through loadConfig (MODEL_CATALOG_FILE)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'conveyor-catalog-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, content: string) => {
      const file = join(dir, name);
      writeFileSync(file, content);
      return file;
    };
    const problemsFor = (env: NodeJS.ProcessEnv): string[] => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigException);
        return (err as ConfigException).problems;
      }
      throw new Error('expected loadConfig to throw');
    };

    it('loads the file into config.models', () => {
      const file = write('ok.json', JSON.stringify(VALID));
      const config = loadConfig({ MODEL_CATALOG_FILE: file, DEFAULT_MODEL: 'quality' });
      expect(config.models.groups.map((g) => g.name)).toEqual(['quality', 'fast']);
      expect(config.defaultModel).toBe('quality');
    });

    it('reports catalogue problems beside the other settings, prefixed with the setting', () => {
      const file = write('bad.json', JSON.stringify({ models: [{ name: 'm', deployments: [{ id: 'd', provider: 'x', upstream_model: 'u' }] }] }));
      expect(problemsFor({ MODEL_CATALOG_FILE: file, PORT: 'abc' })).toEqual([
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^MODEL_CATALOG_FILE: models\[0\]\.deployments\[0\]\.provider: must be one of/),
      ]);
    });

    it('reports a file that is missing or not JSON', () => {
      expect(problemsFor({ MODEL_CATALOG_FILE: join(dir, 'absent.json') })).toEqual([
        expect.stringMatching(/^MODEL_CATALOG_FILE: cannot read .*absent\.json: ENOENT/),
      ]);
      expect(problemsFor({ MODEL_CATALOG_FILE: write('broken.json', '{"models": [') })).toEqual([
        expect.stringMatching(/^MODEL_CATALOG_FILE: cannot read .*broken\.json: /),
      ]);
    });

    it('reads the routing settings, and rejects a backoff base above its ceiling', () => {
      expect(loadConfig({}).routing).toEqual({
        maxRetries: 2,
        backoffBaseMs: 500,
        backoffMaxMs: 10_000,
        cooldownFailures: 3,
        cooldownMs: 30_000,
        callTimeoutMs: 60_000,
        deadlineMs: 120_000,
      });
      expect(problemsFor({ ROUTING_BACKOFF_BASE_MS: '5000', ROUTING_BACKOFF_MAX_MS: '100', JOB_DEADLINE_MS: '7200000' })).toEqual([
        expect.stringMatching(/^JOB_DEADLINE_MS: /),
        'ROUTING_BACKOFF_BASE_MS: must not exceed ROUTING_BACKOFF_MAX_MS',
      ]);
    });

    it('requires DEFAULT_MODEL to name a chat model or group of the catalogue', () => {
      const file = write('no-sim.json', JSON.stringify(VALID));
      expect(problemsFor({ MODEL_CATALOG_FILE: file })).toEqual(['DEFAULT_MODEL: "simulated" is neither a model nor a group of the catalogue']);
      expect(problemsFor({ DEFAULT_MODEL: 'simulated-embedding' })).toEqual([
        'DEFAULT_MODEL: "simulated-embedding" is an embedding model; chat requests need a chat model or group',
      ]);
    });
  });
});
