import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
}

/**
 * The console's built files (`npm run build` bundles apps/console-web into dist/console), read into memory once at
 * start-up: the page and its hashed assets, nothing else. Only names found in that folder are ever served, so no
 * request path reaches the file system. Without a build the console is simply absent (404).
 */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  /** dist/apps/gateway/src/console → dist/console. */
  static readonly ROOT = join(__dirname, '..', '..', '..', '..', 'console');
  private readonly logger = new Logger('Console');
  private page: Buffer | null = null;
  private readonly assets = new Map<string, ConsoleAsset>();

  constructor(private readonly root: string = ConsoleAssets.ROOT) {}

  async onModuleInit(): Promise<void> {
    try {
      this.page = await readFile(join(this.root, 'index.html'));
    } catch {
      this.logger.warn(`no console build at ${this.root}: /console is not served (npm run build makes it)`);
      return;
    }
    for (const name of await readdir(join(this.root, 'assets'))) {
      const contentType = CONTENT_TYPES[extname(name)];
      if (contentType) this.assets.set(name, { contentType, body: await readFile(join(this.root, 'assets', name)) });
    }
  }

  /** index.html, or null when the console was not built. */
  index(): Buffer | null {
    return this.page;
  }

  asset(name: string): ConsoleAsset | null {
    return this.assets.get(name) ?? null;
  }
}
