import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SWAGGER_UI_INIT } from './swagger-ui.page';

/** The Swagger UI files `/docs` serves, by name, with their content types (and `init.js`, the page's own). Nothing else of the package is reachable. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

export interface Asset {
  contentType: string;
  body: Buffer;
}

/**
 * Swagger UI's static files, read from the installed `swagger-ui-dist` package (no CDN: the UI works offline),
 * each once, then kept in memory.
 */
@Injectable()
export class SwaggerUiAssets {
  private readonly root = dirname(require.resolve('swagger-ui-dist/package.json'));
  private readonly cache = new Map<string, Promise<Asset>>();

  /** The named asset, or null for any name not on the list. */
  get(name: string): Promise<Asset> | null {
    if (name === 'init.js') return Promise.resolve({ contentType: 'application/javascript; charset=utf-8', body: Buffer.from(SWAGGER_UI_INIT) });
    const contentType = ASSETS[name];
    if (!contentType) return null;
    let asset = this.cache.get(name);
    if (!asset) {
      asset = readFile(join(this.root, name)).then((body) => ({ contentType, body }));
      asset.catch(() => this.cache.delete(name));
      this.cache.set(name, asset);
    }
    return asset;
  }
}
