'use strict';
// RuleTester cases for conveyor/boundaries, one group per clause. Paths are made up under ROOT: the rule only does path
// arithmetic, so nothing here touches the file system.
const { Linter, RuleTester } = require('eslint');
const tseslint = require('typescript-eslint');
const rule = require('./boundaries');

const ROOT = '/repo';
const options = [
  {
    root: ROOT,
    compositionRoots: ['embedded'],
    libInternalsAllowed: [{ file: 'test/global-setup.ts', reason: 'jest globalSetup runs without moduleNameMapper' }],
  },
];
const at = (file, code, extra = {}) => ({ filename: `${ROOT}/${file}`, code, options, ...extra });

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

tester.run('conveyor/boundaries', rule, {
  valid: [
    // Apps: their own files, libs through the alias, packages.
    at('apps/gateway/src/jobs/jobs.service.ts', "import { x } from '../errors/store-call.util';"),
    at('apps/gateway/src/main.ts', "import { JobStatus } from '@conveyor/contracts'; import { Module } from '@nestjs/common';"),
    at('apps/gateway/src/main.ts', "import { readFileSync } from 'node:fs';"),
    // The composition root may import any app.
    at('apps/embedded/src/embedded.launcher.ts', "import { startGateway } from '../../gateway/src/gateway.app';"),
    at('apps/embedded/src/job-recovery.ts', "export { jobRequestedOf } from '../../gateway/src/jobs/job-requested.mapper';"),
    // Libs: relative imports inside the same lib, other libs through the alias.
    at('libs/messaging/src/index.ts', "export * from './amqp/amqp-broker.client';"),
    at('libs/messaging/src/amqp/amqp-broker.client.ts', "import { Exchanges } from '../topology';"),
    at('libs/database/src/job-record.mapper.ts', "import type { JobView } from '@conveyor/contracts';"),
    // test/ and bench/ may import app internals (and each other), libs through the alias.
    at('test/integration/gateway/rate-limit.test.ts', "import { startGateway } from '../../../apps/gateway/src/gateway.app';"),
    at('bench/scenarios/latency.scenario.ts', "import { Cluster } from '../../test/support/cluster.util';"),
    at('test/support/amqp.util.ts', "import { AmqpBrokerClient } from '@conveyor/messaging';"),
    // A listed exception may import lib internals.
    at('test/global-setup.ts', "import { runMigrations } from '../libs/database/src/migrations.runner';"),
    // Files outside the repository root are not judged.
    { filename: '/elsewhere/apps/gateway/src/x.ts', code: "import '../../streaming/src/y';", options },
    // Non-literal specifiers cannot be resolved statically and are left alone.
    at('apps/gateway/src/x.ts', 'const name = "../../streaming/src/y"; require(name);'),
  ],

  invalid: [
    // Clause 1: one app importing another, in every import form.
    ...[
      "import { JobEventRouter } from '../../../streaming/src/stream/job-event.router';",
      "import type { SseWriter } from '../../../streaming/src/stream/sse.writer';",
      "export { SseWriter } from '../../../streaming/src/stream/sse.writer';",
      "export * from '../../../streaming/src/stream/sse.writer';",
      "const m = await import('../../../streaming/src/stream/sse.writer');",
      "const m = require('../../../streaming/src/stream/sse.writer');",
      "jest.mock('../../../streaming/src/stream/sse.writer');",
      "import SseWriter = require('../../../streaming/src/stream/sse.writer');",
      "let w: import('../../../streaming/src/stream/sse.writer').SseWriter;",
      "import { SseWriter } from 'apps/streaming/src/stream/sse.writer';", // through tsconfig's baseUrl
    ].map((code) => at('apps/gateway/src/openai/openai-chunk.sink.ts', code, { errors: [{ messageId: 'crossApp' }] })),
    at('apps/notification/src/delivery/webhook-fanout.service.ts', "import { presentJob } from '../../../gateway/src/jobs/job.presenter';", {
      errors: [
        {
          message:
            "apps/notification must not import apps/gateway ('../../../gateway/src/jobs/job.presenter'): only apps/embedded may compose apps; move what is shared into a lib.",
        },
      ],
    }),

    // Clause 2: lib internals from outside the lib, by relative path or deep alias; a lib importing another by path.
    at('apps/gateway/src/main.ts', "import { Exchanges } from '../../../libs/messaging/src/topology';", {
      errors: [
        {
          message:
            "'../../../libs/messaging/src/topology' reaches into libs/messaging: import it as '@conveyor/messaging' (export what is needed from libs/messaging/src/index.ts).",
        },
      ],
    }),
    at('apps/gateway/src/main.ts', "import { Exchanges } from '@conveyor/messaging/src/topology';", { errors: [{ messageId: 'libInternals' }] }),
    at('apps/gateway/src/main.ts', "import { Exchanges } from '@conveyor/messaging/topology';", { errors: [{ messageId: 'libInternals' }] }),
    at('apps/gateway/src/main.ts', "import { Exchanges } from '../../../libs/messaging/src';", { errors: [{ messageId: 'libInternals' }] }),
    at('apps/gateway/src/main.ts', "import { Exchanges } from 'libs/messaging/src/topology';", { errors: [{ messageId: 'libInternals' }] }),
    at('libs/database/src/job-record.mapper.ts', "import { JobStatus } from '../../contracts/src/job-status';", { errors: [{ messageId: 'libInternals' }] }),
    at('libs/database/src/job-record.mapper.ts', "import { runMigrations } from '@conveyor/database/src/migrations.runner';", {
      errors: [{ messageId: 'libInternals' }],
    }),

    // Clause 3: test/ and bench/ import libs through the alias too, unless listed.
    at('test/support/amqp.util.ts', "import { AmqpNames } from '../../libs/messaging/src/amqp/amqp-topology';", { errors: [{ messageId: 'libInternals' }] }),
    at('bench/support/broker-tap.util.ts', "import { Exchanges } from '../../libs/messaging/src/topology';", { errors: [{ messageId: 'libInternals' }] }),
    at('test/global-teardown.ts', "import { dropDatabase } from '../libs/database/src/x';", { errors: [{ messageId: 'libInternals' }] }), // not listed here

    // Both clauses at once: an app importing another app's file and a lib's internals.
    at(
      'apps/streaming/src/streaming.module.ts',
      "import { OpenAiExceptionFilter } from '../../gateway/src/errors/openai-exception.filter';\nimport { x } from '../../../libs/config/src/x';",
      {
        errors: [
          { messageId: 'crossApp', line: 1 },
          { messageId: 'libInternals', line: 2 },
        ],
      },
    ),
  ],
});

// The options schema: every exception must give its reason.
describe('conveyor/boundaries options', () => {
  const lint = (libInternalsAllowed) =>
    new Linter({ configType: 'flat', cwd: ROOT }).verify(
      "import '../libs/a/src/b';",
      {
        files: ['**/*.ts'],
        plugins: { conveyor: { rules: { boundaries: rule } } },
        rules: { 'conveyor/boundaries': ['error', { root: ROOT, libInternalsAllowed }] },
      },
      `${ROOT}/test/x.ts`,
    );

  it('accepts an exception with a reason', () => expect(lint([{ file: 'test/x.ts', reason: 'because' }])).toEqual([]));
  it('rejects an exception without a reason', () => expect(() => lint([{ file: 'test/x.ts' }])).toThrow(/reason/));
});
