// Drives a running Kairos release through its public API so its database holds one of everything
// the release stores (used by scripts/make-upgrade-fixture.sh; see apps/standalone/test/fixtures/).
// Usage: node scripts/upgrade-fixture-workload.mjs http://127.0.0.1:3917
const base = process.argv[2];
if (!base) {
  console.error('usage: upgrade-fixture-workload.mjs <base url>');
  process.exit(2);
}

async function call(method, path, body) {
  const res = await fetch(`${base}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return json;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitIdle(label, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await call('GET', '/api/stats');
    const open = (s.tasks?.queued ?? 0) + (s.tasks?.running ?? 0);
    if (open === 0) return s;
    if (Date.now() > until) throw new Error(`${label}: still ${open} open tasks after ${timeoutMs} ms: ${JSON.stringify(s.tasks)}`);
    await sleep(500);
  }
}

const log = (...a) => console.log('[workload]', ...a);

// A queue policy first, so the batch queue's tasks run under it.
await call('PUT', '/api/queues/batch/policy', { policy: 'sjf', placement: 'best-fit' });
log('queue policy set');

const ids = {};
ids.ok = (await call('POST', '/api/tasks', { name: 'hello', queue: 'batch', run: { kind: 'shell', command: ['sh', '-c', 'echo hello from v0.8.0'] }, labels: { fixture: 'v0.8.0' }, idempotencyKey: 'fixture-hello' })).id;
ids.retried = (await call('POST', '/api/tasks', { name: 'fails-twice', queue: 'batch', run: { kind: 'shell', command: ['sh', '-c', 'echo oops >&2; exit 3'] }, maxAttempts: 2 })).id;
ids.timedOut = (await call('POST', '/api/tasks', { name: 'too-slow', run: { kind: 'shell', command: ['sleep', '5'] }, timeoutMs: 300 })).id;
ids.http = (await call('POST', '/api/tasks', { name: 'health-check', run: { kind: 'http', method: 'GET', url: `${base}/health`, expectStatus: [200] }, priority: 5 })).id;
ids.cancelled = (await call('POST', '/api/tasks', { name: 'cancel-me', run: { kind: 'noop', sleepMs: 60_000 }, resources: { cpuMillis: 250, memMb: 32, gpu: 0 } })).id;
await sleep(300);
await call('POST', `/api/tasks/${ids.cancelled}/cancel`);
// History for the duration model: noop tasks of three shapes.
for (let i = 0; i < 60; i++) {
  await call('POST', '/api/tasks', { name: `noop-${i % 3}`, queue: i % 2 ? 'batch' : 'default', run: { kind: 'noop', sleepMs: 20 + (i % 3) * 40 }, resources: { cpuMillis: 100 * (1 + (i % 3)), memMb: 64, gpu: 0 } });
}
log('tasks submitted', ids);

const wf = await call('POST', '/api/workflows', {
  name: 'fixture-dag',
  tasks: [
    { key: 'extract', run: { kind: 'shell', command: ['sh', '-c', 'echo extract'] }, outputs: ['raw.csv'] },
    { key: 'transform', run: { kind: 'noop', sleepMs: 50 }, inputs: ['raw.csv'], outputs: ['clean.csv'] },
    { key: 'report', run: { kind: 'shell', command: ['sh', '-c', 'echo report'] }, dependsOn: ['transform'] },
    { key: 'audit', run: { kind: 'noop', sleepMs: 10, failWith: 1 }, dependsOn: ['extract'] },
  ],
});
log('workflow', wf.id ?? wf.runId ?? JSON.stringify(wf).slice(0, 200));

await call('POST', '/api/repairs', { action: { kind: 'throttle_queue', queue: 'batch', maxConcurrent: 8 }, reason: 'upgrade fixture: an operator-requested repair' });
await call('POST', '/api/repairs', { action: { kind: 'scale_request', service: 'executor', delta: 1 }, reason: 'upgrade fixture: a recorded scale request', dryRun: true, confidence: 0.8 });
log('repairs requested');

const stats = await waitIdle('workload');
log('all tasks finished', JSON.stringify(stats.tasks));

try {
  const model = await call('POST', '/api/models/duration/train', { maxRows: 1000, trees: 20, deploy: true });
  log('model trained', JSON.stringify(model).slice(0, 300));
} catch (e) {
  log('model training skipped:', e.message);
}
// Let the outbox relay, metrics roll-ups and the analyzer's consumers catch up.
await sleep(3000);
log('done');
