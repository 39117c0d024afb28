'use strict';
/**
 * conveyor/boundaries: the monorepo's module boundaries, checked on every import specifier.
 *
 *   1. apps/<a> must not import apps/<b>; apps/embedded, the one composition root, may.
 *   2. libs/<name> is imported only as '@conveyor/<name>' (its index.ts) from outside that lib: no relative path into
 *      libs/<name>/..., no '@conveyor/<name>/<sub-path>'. Inside a lib, relative imports within the lib are fine.
 *   3. test/ and bench/ may import app internals, but libs only through the alias, like everyone else; the option
 *      `libInternalsAllowed` lists the files that may not (each with its reason), e.g. jest's globalSetup.
 *
 * Specifiers are resolved by path arithmetic only (relative ones against the importing file, 'apps/…'/'libs/…' ones
 * against `root`, which tsconfig's baseUrl "." also allows); the file system is never read.
 */
const path = require('node:path');

/** 'apps/gateway/src/x.ts' -> { area: 'apps', name: 'gateway' }; anything else -> { area: 'test' | 'bench' | … }. */
function locate(relPath) {
  const [area, name] = relPath.split('/');
  return area === 'apps' || area === 'libs' ? { area, name } : { area, name: undefined };
}

/** Where a specifier points, relative to root ('libs/messaging/src/topology'), or null for a package specifier. */
function targetOf(specifier, importerDir, root) {
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    return toPosix(path.relative(root, path.resolve(importerDir, specifier)));
  }
  if (/^(apps|libs)\//.test(specifier)) return specifier; // tsconfig "baseUrl": "." resolves these too
  const alias = /^@conveyor\/([^/]+)(\/.*)?$/.exec(specifier);
  if (alias && alias[2]) return `libs/${alias[1]}/src${alias[2]}`; // '@conveyor/x/y': a deep alias, always internals
  return null; // '@conveyor/x' itself, node:*, npm packages
}

const toPosix = (p) => p.split(path.sep).join('/');

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep apps independent of each other and libs behind their @conveyor/<name> entry point.' },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          root: { type: 'string', description: 'The repository root (defaults to ESLint’s cwd).' },
          compositionRoots: { type: 'array', items: { type: 'string' }, description: 'Apps that may import other apps.' },
          libInternalsAllowed: {
            type: 'array',
            description: 'Files (relative to root) that may import lib internals, each with the reason why.',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['file', 'reason'],
              properties: { file: { type: 'string' }, reason: { type: 'string', minLength: 1 } },
            },
          },
        },
      },
    ],
    messages: {
      crossApp: "apps/{{from}} must not import apps/{{to}} ('{{specifier}}'): only {{roots}} may compose apps; move what is shared into a lib.",
      libInternals: "'{{specifier}}' reaches into libs/{{lib}}: import it as '@conveyor/{{lib}}' (export what is needed from libs/{{lib}}/src/index.ts).",
    },
  },

  create(context) {
    const options = context.options[0] ?? {};
    const root = options.root ?? context.cwd;
    const compositionRoots = options.compositionRoots ?? ['embedded'];
    const filename = context.filename;
    const importerPath = toPosix(path.relative(root, filename));
    if (importerPath.startsWith('..') || path.isAbsolute(importerPath)) return {}; // outside the repository
    const importer = locate(importerPath);
    const libInternalsAllowed = (options.libInternalsAllowed ?? []).some((entry) => entry.file === importerPath);
    const importerDir = path.dirname(filename);

    function check(node) {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const specifier = node.value;
      const targetPath = targetOf(specifier, importerDir, root);
      if (targetPath === null) return;
      const target = locate(targetPath);
      if (!target.name) return;

      const otherApp = importer.area === 'apps' && target.area === 'apps' && target.name !== importer.name;
      if (otherApp && !compositionRoots.includes(importer.name)) {
        const roots = compositionRoots.map((app) => `apps/${app}`).join(', ');
        context.report({ node, messageId: 'crossApp', data: { from: importer.name, to: target.name, specifier, roots } });
      }

      const withinSameLib = importer.area === 'libs' && importer.name === target.name && !specifier.startsWith('@conveyor/');
      if (target.area === 'libs' && !withinSameLib && !libInternalsAllowed) {
        context.report({ node, messageId: 'libInternals', data: { specifier, lib: target.name } });
      }
    }

    const JEST_MODULE_CALLS = new Set(['mock', 'doMock', 'unmock', 'requireActual', 'requireMock']);
    const isModuleCall = ({ callee }) =>
      (callee.type === 'Identifier' && callee.name === 'require') ||
      (callee.type === 'MemberExpression' && callee.object.name === 'jest' && JEST_MODULE_CALLS.has(callee.property.name));
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source), // import('…')
      TSImportType: (node) => check(node.argument.type === 'TSLiteralType' ? node.argument.literal : node.argument), // import('…').T
      TSImportEqualsDeclaration: (node) => node.moduleReference.type === 'TSExternalModuleReference' && check(node.moduleReference.expression),
      CallExpression: (node) => isModuleCall(node) && check(node.arguments[0]), // require('…'), jest.mock('…')
    };
  },
};
