// Bundles the console (src/) into dist/console: one hashed script and stylesheet, and index.html naming them. The
// gateway serves that folder at /console; hashed names let it cache the assets for good and index.html not at all.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'dist', 'console');

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  outdir: join(out, 'assets'),
  entryNames: 'console-[hash]',
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  loader: { '.woff2': 'file', '.woff': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((f) => f.endsWith('.js'));
const style = outputs.find((f) => f.endsWith('.css'));
if (!script || !style) throw new Error(`console build: expected one .js and one .css, got ${outputs.join(', ')}`);

const template = await readFile(join(here, 'index.html'), 'utf8');
await writeFile(join(out, 'index.html'), template.replace('%SCRIPT%', `console/assets/${script}`).replace('%STYLE%', `console/assets/${style}`));
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`console: dist/console (${outputs.length} assets, ${Math.round(bytes / 1024)} KiB)`);
