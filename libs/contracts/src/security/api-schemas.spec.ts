import { probeStringHygiene } from './string-hygiene.probe';
import { formatZodIssues } from '../envelope';
import { RepairRequestedSchema, SubmitRepairSchema } from '../repair.schema';
import { RunSpecSchema, StoredRunSpecSchema, SubmitTaskSchema } from '../task.schema';
import { RerunWorkflowSchema, SubmitWorkflowSchema } from '../workflow.schema';
import { INPUT_LIMITS } from './input-limits';
import { makeKeyring, secretKeyFromBytes } from './secret-envelope';
import { sealSecrets } from './secret-sealing';

const shellTask = {
  name: 'nightly build',
  queue: 'builds',
  idempotencyKey: 'build-42',
  labels: { team: 'infra', tier: 'gold' },
  run: { kind: 'shell', command: ['make', '-j4', 'all'], env: { CC: 'gcc', LANG: 'C' }, secretEnv: { DEPLOY_TOKEN: 's3cr3t-token' }, cwd: '/srv/build' },
};
const httpTask = {
  run: {
    kind: 'http',
    method: 'POST',
    url: 'https://hooks.example.com/notify?x=1',
    headers: { 'Content-Type': 'application/json' },
    secretHeaders: { Authorization: 'Bearer abcdefgh' },
    body: '{"ok":true}',
  },
};
const workflow = {
  name: 'etl',
  tasks: [
    { key: 'extract', run: { kind: 'noop' }, outputs: ['/data/raw.csv'] },
    { key: 'load', run: { kind: 'shell', command: ['load', '/data/raw.csv'] }, dependsOn: ['extract'], inputs: ['/data/raw.csv'], labels: { step: 'load' } },
  ],
};

const issuesOf = (schema: { safeParse(v: unknown): { success: true } | { success: false; error: import('zod').ZodError } }, v: unknown): string[] => {
  const r = schema.safeParse(v);
  return r.success ? [] : formatZodIssues(r.error);
};

describe('every string of every API schema is guarded (NUL, lone surrogates, 1 MiB)', () => {
  it.each([
    ['task (shell)', SubmitTaskSchema, shellTask],
    ['task (http)', SubmitTaskSchema, httpTask],
    ['workflow', SubmitWorkflowSchema, workflow],
    ['workflow rerun', RerunWorkflowSchema, { force: ['load'] }],
    ['repair (throttle)', SubmitRepairSchema, { action: { kind: 'throttle_queue', queue: 'builds', maxConcurrent: 2 }, reason: 'too many failures' }],
    ['repair (cordon)', SubmitRepairSchema, { action: { kind: 'cordon_node', nodeId: 'node-1' }, reason: 'hot' }],
    ['repair (scale)', SubmitRepairSchema, { action: { kind: 'scale_request', service: 'executor', delta: 1 }, reason: 'busy' }],
    ['repair.requested event', RepairRequestedSchema, { actionId: '5b0f7a40-1f52-4c1e-9a57-0d4f1f5a0c11', action: { kind: 'drain_node', nodeId: 'n' }, reason: 'r', confidence: 1, dryRun: false, requestedBy: 'api' }],
  ])('%s', (_name, schema, sample) => {
    expect(probeStringHygiene(schema, sample)).toEqual([]);
  });
});

describe('task limits name the field', () => {
  const shell = (run: object) => ({ run: { kind: 'shell', command: ['true'], ...run } });
  it('NUL in a command argument', () => {
    expect(issuesOf(SubmitTaskSchema, shell({ command: ['echo', 'a\u0000b'] }))).toEqual(['run.command[1]: must not contain NUL (\\u0000) at character 1']);
  });
  it('lone surrogates in an env value, an env name, a label key and a header', () => {
    expect(issuesOf(SubmitTaskSchema, shell({ env: { FOO: 'x\ud800' } }))).toEqual(['run.env.FOO: must not contain an unpaired UTF-16 high surrogate (\\ud800) at character 1']);
    expect(issuesOf(SubmitTaskSchema, shell({ env: { ['F\udc00']: 'x' } }))).toEqual(['run.env["F\\udc00"] (name): must not contain an unpaired UTF-16 low surrogate (\\udc00) at character 1']);
    expect(issuesOf(SubmitTaskSchema, { ...shell({}), labels: { ['\udc00']: 'v' } })).toEqual(['labels["\\udc00"] (name): must not contain an unpaired UTF-16 low surrogate (\\udc00) at character 0']);
    expect(issuesOf(SubmitTaskSchema, { run: { kind: 'http', url: 'http://x.test/', headers: { 'X-A': '\ud800' } } })[0]).toMatch(/^run\.headers\.X-A: must not contain an unpaired UTF-16 high surrogate/);
  });
  it('oversize: one argument, all arguments together, env value, cwd, name, label, URL, body', () => {
    const { command, env, cwdBytes, nameBytes, labels, http } = INPUT_LIMITS;
    expect(issuesOf(SubmitTaskSchema, shell({ command: ['x'.repeat(command.argBytes + 1)] }))).toEqual([`run.command[0]: must be at most ${command.argBytes} bytes`]);
    const euros = Math.floor(command.argBytes / 3) + 1; // fewer characters than the limit, more bytes
    expect(issuesOf(SubmitTaskSchema, shell({ command: ['€'.repeat(euros)] }))).toEqual([`run.command[0]: must be at most ${command.argBytes} bytes (got ${3 * euros})`]);
    const third = 'y'.repeat(command.argBytes - 1);
    expect(issuesOf(SubmitTaskSchema, shell({ command: [third, third, third] }))).toEqual([`run.command: must total at most ${command.totalBytes} bytes (got ${3 * (command.argBytes - 1)})`]);
    expect(issuesOf(SubmitTaskSchema, shell({ env: { A: 'v'.repeat(env.valueBytes + 1) } }))).toEqual([`run.env.A: must be at most ${env.valueBytes} bytes`]);
    expect(issuesOf(SubmitTaskSchema, shell({ cwd: '/'.repeat(cwdBytes + 1) }))).toEqual([`run.cwd: must be at most ${cwdBytes} bytes`]);
    expect(issuesOf(SubmitTaskSchema, { ...shell({}), name: 'n'.repeat(nameBytes + 1) })).toEqual([`name: must be at most ${nameBytes} bytes`]);
    expect(issuesOf(SubmitTaskSchema, { ...shell({}), labels: { k: 'v'.repeat(labels.valueBytes + 1) } })).toEqual([`labels.k: must be at most ${labels.valueBytes} bytes`]);
    expect(issuesOf(SubmitTaskSchema, { run: { kind: 'http', url: `http://x.test/${'p'.repeat(http.urlBytes)}` } })).toEqual([`run.url: must be at most ${http.urlBytes} bytes`]);
    expect(issuesOf(SubmitTaskSchema, { run: { kind: 'http', url: 'http://x.test/', body: 'b'.repeat(http.bodyBytes + 1) } })).toEqual([`run.body: must be at most ${http.bodyBytes} bytes`]);
  });
  it('env and secretEnv share one total budget', () => {
    const v = 'v'.repeat(INPUT_LIMITS.env.valueBytes - 10);
    const env = { A: v, B: v, C: v };
    const secretEnv = { D_TOKEN: v, E_TOKEN: v };
    const total = 5 * v.length + 3 * 'A'.length + 2 * 'D_TOKEN'.length;
    expect(issuesOf(SubmitTaskSchema, shell({ env, secretEnv }))).toEqual([`run.env: env and secretEnv must total at most ${INPUT_LIMITS.env.totalBytes} bytes (got ${total})`]);
  });
  it('ASCII within the budget passes although 3 bytes per character would exceed it', () => {
    const v = 'a'.repeat(30_000);
    expect(issuesOf(SubmitTaskSchema, shell({ env: { A: v, B: v }, secretEnv: { C_TOKEN: v } }))).toEqual([]);
    expect(issuesOf(SubmitTaskSchema, shell({ command: ['a'.repeat(60_000), 'b'.repeat(60_000)] }))).toEqual([]);
  });
  it('too many entries: command arguments, env, labels, headers', () => {
    const { command, env, labels, http } = INPUT_LIMITS;
    const many = (n: number, prefix: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));
    expect(issuesOf(SubmitTaskSchema, shell({ command: Array(command.args + 1).fill('a') }))).toEqual([`run.command: must have at most ${command.args} items`]);
    expect(issuesOf(SubmitTaskSchema, shell({ env: many(env.entries + 1, 'V') }))).toEqual([
      `run.env: must have at most ${env.entries} entries (got ${env.entries + 1})`,
      `run.env: env and secretEnv must have at most ${env.entries} entries together (got ${env.entries + 1})`,
    ]);
    expect(issuesOf(SubmitTaskSchema, { ...shell({}), labels: many(labels.entries + 1, 'l') })).toEqual([`labels: must have at most ${labels.entries} entries (got ${labels.entries + 1})`]);
    expect(issuesOf(SubmitTaskSchema, { run: { kind: 'http', url: 'http://x.test/', headers: many(40, 'X-A'), secretHeaders: many(30, 'X-S') } })).toEqual([
      `run.headers: headers and secretHeaders must have at most ${http.headers} entries together (got 70)`,
    ]);
  });
  it('names, headers and URLs that would break the runner or leak', () => {
    expect(issuesOf(SubmitTaskSchema, shell({ env: { 'A=B': 'x' } }))).toEqual(['run.env["A=B"] (name): must not contain "="']);
    expect(issuesOf(SubmitTaskSchema, shell({ env: { T: 'a' }, secretEnv: { T: 'b' } }))).toEqual(['run.secretEnv.T: is also set in env']);
    const http = (run: object) => ({ run: { kind: 'http', url: 'http://x.test/', ...run } });
    expect(issuesOf(SubmitTaskSchema, http({ headers: { 'X-A': 'a\r\nInjected: 1' } }))).toEqual(['run.headers.X-A: must not contain CR or LF']);
    expect(issuesOf(SubmitTaskSchema, http({ headers: { 'Bad Name': 'v' } }))[0]).toMatch(/^run\.headers\["Bad Name"\] \(name\): must be an HTTP header name/);
    expect(issuesOf(SubmitTaskSchema, http({ headers: { authorization: 'a' }, secretHeaders: { Authorization: 'b' } }))).toEqual([
      'run.secretHeaders.Authorization: duplicates headers.authorization (header names are case-insensitive)',
    ]);
    expect(issuesOf(SubmitTaskSchema, http({ url: 'file:///etc/passwd' }))).toEqual(['run.url: must use http or https (got file:)']);
    expect(issuesOf(SubmitTaskSchema, http({ url: 'https://user:pw@x.test/' }))[0]).toMatch(/^run\.url: must not embed credentials/);
    expect(issuesOf(SubmitTaskSchema, http({ url: 'not a url' }))).toEqual(['run.url: must be an absolute http(s) URL']);
  });
  it('workflow paths name the task', () => {
    const w = { name: 'w', tasks: [{ key: 'a', run: { kind: 'shell', command: ['x\u0000'] } }] };
    expect(issuesOf(SubmitWorkflowSchema, w)).toEqual(['tasks[0].run.command[0]: must not contain NUL (\\u0000) at character 1']);
  });
  it('keeps the old shape: no secretEnv key when none was given', () => {
    const t = SubmitTaskSchema.parse(shell({ env: { A: '1' } }));
    expect(t.run).toEqual({ kind: 'shell', command: ['true'], shell: false, env: { A: '1' } });
  });
});

describe('stored specs: sealed secret values are checked by their plaintext size', () => {
  const keyring = makeKeyring(secretKeyFromBytes(Buffer.alloc(32, 7)));
  it('a spec at the input limit still validates once sealed, and a plaintext of the sealed length does not pass as input', () => {
    const max = 'k'.repeat(INPUT_LIMITS.env.valueBytes);
    const spec = RunSpecSchema.parse({ kind: 'shell', command: ['true'], secretEnv: { BIG_TOKEN: max } });
    const sealed = sealSecrets(spec, keyring);
    expect(sealed.kind === 'shell' && sealed.secretEnv!.BIG_TOKEN.length).toBeGreaterThan(INPUT_LIMITS.env.valueBytes);
    expect(issuesOf(StoredRunSpecSchema, sealed)).toEqual([]);
    expect(issuesOf(RunSpecSchema, sealed)[0]).toMatch(/^secretEnv\.BIG_TOKEN: must be at most 32768 bytes/);
  });
});
