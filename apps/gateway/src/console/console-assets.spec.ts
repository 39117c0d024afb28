import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets } from './console-assets';

function build(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'console-assets-'));
  mkdirSync(join(root, 'assets'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(root, name), body);
  return root;
}

describe('ConsoleAssets', () => {
  it('serves the page and the files of its assets folder, with their content types, and nothing else', async () => {
    const root = build({
      'index.html': '<html></html>',
      'assets/console-AB12.js': 'js',
      'assets/console-AB12.css': 'css',
      'assets/notes.txt': 'x',
      'other.js': 'y',
    });
    const assets = new ConsoleAssets(root);
    await assets.onModuleInit();
    expect(assets.index()?.toString()).toBe('<html></html>');
    expect(assets.asset('console-AB12.js')).toEqual({ contentType: 'application/javascript; charset=utf-8', body: Buffer.from('js') });
    expect(assets.asset('console-AB12.css')?.contentType).toBe('text/css; charset=utf-8');
    for (const name of ['notes.txt', '../index.html', 'other.js', '../other.js', 'index.html']) expect(assets.asset(name)).toBeNull();
  });

  it('serves nothing when the console was not built', async () => {
    const assets = new ConsoleAssets(join(tmpdir(), 'no-console-build-here'));
    await assets.onModuleInit();
    expect(assets.index()).toBeNull();
    expect(assets.asset('console-AB12.js')).toBeNull();
  });
});
