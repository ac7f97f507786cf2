import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';
import type { WorkerReply, WorkerRequest } from './pglite-worker.protocol';

/**
 * The embedded database's thread: one PGlite instance (PostgreSQL compiled to WebAssembly, which runs each
 * statement synchronously on the thread that calls it) answering the statements the main thread sends. Kept
 * off the main thread so that a statement never holds up its timers, HTTP requests or child processes.
 * Statements arrive one at a time per connection in the order they were sent; PGlite has a single session, so
 * `Database` serialises transactions before they reach this thread.
 */
const port = parentPort;
if (!port) throw new Error('pglite.worker must run as a worker thread');

const { dataDir, slowMs } = workerData as { dataDir: string; slowMs: number };

// Booleans as TRUE/FALSE whatever JavaScript value carries them (1/0 and 'true'/'false' included), as node-postgres
// accepts them.
const serializeBool = (v: unknown): string => (v === true || v === 'true' || v === 1 ? 'TRUE' : v === false || v === 'false' || v === 0 ? 'FALSE' : String(v));
const ready = PGlite.create({ dataDir, serializers: { [types.BOOL]: serializeBool } });

async function answer(req: WorkerRequest): Promise<WorkerReply> {
  const db = await ready;
  if (req.op === 'close') {
    await db.close();
    return { id: req.id, ok: true, result: null };
  }
  // Statements with parameters use the extended protocol (one statement); without, the simple protocol, which
  // accepts several statements (migrations) and answers with the last one's result, as node-postgres does.
  const result = req.params.length > 0 ? await db.query(req.sql, req.params) : (await db.exec(req.sql)).at(-1);
  return { id: req.id, ok: true, result: result ? { rows: result.rows as unknown[], rowCount: result.affectedRows ?? result.rows.length, fields: result.fields } : { rows: [], rowCount: 0, fields: [] } };
}

/** An error as plain data: its message, name and every own field (SQLSTATE `code`, `detail`, `constraint`…). */
function plainError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err), name: 'Error' };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
  return { ...fields, message: err.message, name: err.name };
}

let chain: Promise<unknown> = Promise.resolve();
port.on('message', (req: WorkerRequest) => {
  chain = chain.then(async () => {
    let reply: WorkerReply;
    const started = slowMs > 0 ? performance.now() : 0;
    try {
      reply = await answer(req);
    } catch (err) {
      reply = { id: req.id, ok: false, error: plainError(err) };
    }
    // EMBEDDED_SLOW_STATEMENT_MS: what holds the database, to stderr (the statement's first 300 characters, no parameters).
    if (slowMs > 0 && req.op === 'query') {
      const ms = performance.now() - started;
      if (ms >= slowMs) process.stderr.write(`pglite slow statement ${ms.toFixed(0)} ms: ${req.sql.replace(/\s+/g, ' ').slice(0, 300)}\n`);
    }
    port.postMessage(reply);
  });
});
