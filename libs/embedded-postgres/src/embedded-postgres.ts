import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: plain `pg` (and so TypeORM) connects to it. */
  url: string;
  /** Connections the server accepts; a pool larger than this gets "Too many connections" refusals. */
  maxConnections: number;
  /** Closes the socket server, then the database (flushing it to disk when it has a data dir). Idempotent. */
  stop(): Promise<void>;
}

const MAX_CONNECTIONS = 8;

/**
 * The worker thread's program. Plain JavaScript, evaluated by the worker: PGlite loads its WASM through
 * dynamic `import()`, which a host module loader such as jest's cannot run, while a worker always gets
 * Node's own loader. The thread also keeps PGlite's synchronous WASM work off the app's event loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const { PGLiteSocketServer } = require(workerData.socketPath);

async function main() {
  const db = await PGlite.create(workerData.dataDir ?? undefined);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: workerData.maxConnections });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  parentPort.once('message', async () => {
    await server.stop();
    await db.close();
    process.exit(0);
  });
  // After start() the server reports the port the OS picked for port 0, as "host:port".
  parentPort.postMessage({ port: Number(server.getServerConn().split(':').pop()) });
}
main();
`;

/** Settles on the worker's first message, or rejects if it fails or exits first. */
function firstMessage(worker: Worker): Promise<{ port: number }> {
  return new Promise((resolvePort, reject) => {
    const onError = (err: Error) => reject(err);
    const onExit = (code: number) => reject(new Error(`embedded PostgreSQL exited during start-up (code ${code})`));
    worker.once('error', onError).once('exit', onExit);
    worker.once('message', (message: { port: number }) => {
      worker.off('error', onError).off('exit', onExit);
      resolvePort(message);
    });
  });
}

/**
 * PostgreSQL in-process (PGlite, WASM, in a worker thread), served over a loopback socket so the very same
 * TypeORM adapter and migrations run on it as on a real server. PGlite is one backend: every connection
 * shares one session (advisory locks never block, SET leaks across connections), and the socket server
 * runs queries one at a time, holding the other connections back while one is inside a transaction.
 * After start-up, a crash of the database thread is an uncaught error: the app cannot run without it.
 */
export async function startEmbeddedPostgres(dataDir: string | 'memory'): Promise<EmbeddedPostgres> {
  const dir = dataDir === 'memory' ? null : resolve(dataDir);
  if (dir) await mkdir(dirname(dir), { recursive: true });
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      dataDir: dir,
      maxConnections: MAX_CONNECTIONS,
      pglitePath: require.resolve('@electric-sql/pglite'),
      socketPath: require.resolve('@electric-sql/pglite-socket'),
    },
  });
  const { port } = await firstMessage(worker);
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    maxConnections: MAX_CONNECTIONS,
    stop() {
      stopping ??= new Promise<void>((done, fail) => {
        worker.once('exit', () => done()).once('error', fail);
        worker.postMessage('stop');
      });
      return stopping;
    },
  };
}
