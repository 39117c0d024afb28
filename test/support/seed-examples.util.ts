import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * The seeds' READMEs (`shared/seeds/<nnn>_<hash>.txt`, beside the repository, as on every developer's machine and
 * in CI): the examples the e2e tests run are read from there, so they run as the seeds wrote them.
 */
export const SEEDS_DIR = process.env.SEEDS_DIR ?? join(ROOT, '..', 'shared', 'seeds');

export interface CodeBlock {
  lang: string;
  code: string;
}

/** Every fenced code block of seed `nnn`'s README, in order. */
export function seedBlocks(seed: string): CodeBlock[] {
  const file = readdirSync(SEEDS_DIR).find((f) => f.startsWith(`${seed}_`));
  if (!file) throw new Error(`seed ${seed}'s README is not in ${SEEDS_DIR} (set SEEDS_DIR)`);
  const text = readFileSync(join(SEEDS_DIR, file), 'utf8');
  return [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

/** The one block of `lang` holding `marker`; throws if there is not exactly one, so a test never runs the wrong example. */
export function seedBlock(seed: string, lang: string, marker: string): string {
  const found = seedBlocks(seed).filter((b) => b.lang === lang && b.code.includes(marker));
  if (found.length !== 1) throw new Error(`seed ${seed}: ${found.length} ${lang} blocks hold ${JSON.stringify(marker)}`);
  return found[0]!.code;
}

/** A shell block's commands: continuation lines joined, comments and blank lines dropped. */
export function commandsOf(block: string): string[] {
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Points an example at the server under test: the seeds' base URLs (`http://localhost:8000`, seed 004's `:8007`)
 * become `base`, and placeholders (`<job_id>`, `abc123-def456-ghi789`, `yyy`) the values given. Nothing else of
 * the example changes.
 */
export function adapt(code: string, base: string, values: Record<string, string> = {}): string {
  let out = code.replace(/http:\/\/localhost:(8000|8007)/g, base);
  for (const [placeholder, value] of Object.entries(values)) out = out.split(placeholder).join(value);
  return out;
}

/** Runs shell code with bash (pipefail), as a user pastes it into a terminal; resolves with its stdout. */
export async function runShell(code: string, timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run('bash', ['-o', 'pipefail', '-c', code], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Runs a program from stdin (`python3 -`, `node -`) in the repository (so `require('axios')` resolves); resolves with its stdout. */
export function runProgram(command: string, args: string[], source: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${command} failed: ${err.message}\n${stderr}\n${stdout}`)) : resolve(stdout),
    );
    child.stdin!.end(source);
  });
}

/**
 * A Python interpreter that has `requests`, which seed 001's Python example imports: `python3` on the PATH, else
 * Debian's (where .ci/run installs python3-requests when neither has it).
 */
export async function pythonWithRequests(): Promise<string> {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (
      await run(python, ['-c', 'import requests']).then(
        () => true,
        () => false,
      )
    )
      return python;
  }
  throw new Error("no python3 with the requests module (seed 001's Python example needs it): apt-get install python3-requests");
}

/** Seed 004's examples send no key (the seed has no auth); Conveyor needs one, which is the only thing added. */
export function withApiKey(command: string, key: string): string {
  return command.replace(/^curl /, `curl -H "X-API-Key: ${key}" `);
}

/** The routes Nest logged as mapped (`Mapped {/v1/jobs/:jobId, GET} route`), from a process's log at LOG_LEVEL=log. */
export function mappedRoutes(logs: string): Array<{ path: string; method: string }> {
  return [...logs.matchAll(/Mapped \{([^,}]+), ([A-Z]+)\} route/g)].map((m) => ({ path: m[1]!, method: m[2]!.toLowerCase() }));
}
