import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** What @seriousme/openapi-schema-validator says of a document: valid, or the errors against the OpenAPI schema. */
export interface OpenApiValidation {
  valid: boolean;
  errors?: unknown;
}

/**
 * Validates a document against the OpenAPI specification's own JSON Schema (3.1 included) with
 * @seriousme/openapi-schema-validator. The package is ESM only, which jest's CommonJS runtime cannot load, so it
 * runs in a child Node process that reads the document from stdin.
 */
export function validateOpenApi(document: unknown): Promise<OpenApiValidation & { version: string }> {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(input));
    process.stdout.write(JSON.stringify({ ...result, version: validator.version }));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`the validator exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify(document));
  });
}
