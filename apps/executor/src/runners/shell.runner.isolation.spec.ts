import { spawnSync } from 'node:child_process';
import { makeKeyring, REDACTED, RunSpecSchema, sealSecrets, secretKeyFromBytes, type RunSpec } from '@kairos/contracts';
import { taskBaseEnv } from '@kairos/platform';
import type { ProcessIdentity } from './process-group.reaper';
import { ShellRunner } from './shell.runner';

// In-process servers and real processes: slow only when the machine is busy (the full suite runs in parallel).
jest.setTimeout(30_000);

type ShellSpec = Extract<RunSpec, { kind: 'shell' }>;
const shell = (over: object): ShellSpec => RunSpecSchema.parse({ kind: 'shell', ...over }) as ShellSpec;
const ctx = (over: object = {}) => ({ taskId: 'task-1', attempt: 2, timeoutMs: 10_000, outputTailBytes: 4096, signal: new AbortController().signal, ...over });
const envNames = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(0, l.indexOf('=')))
    .sort();

describe('ShellRunner: a task sees only its own environment', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.DATABASE_URL = 'postgres://kairos:server-db-password@db/kairos';
    process.env.KAIROS_TEST_SERVER_ONLY = 'server-only-value';
    process.env.KAIROS_TEST_ALLOWED = 'allowed-value';
  });
  afterAll(() => {
    for (const k of ['DATABASE_URL', 'KAIROS_TEST_SERVER_ONLY', 'KAIROS_TEST_ALLOWED']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('cannot read a server variable (default allow-list)', async () => {
    const r = await new ShellRunner().run(shell({ command: ['sh', '-c', 'echo "[$KAIROS_TEST_SERVER_ONLY][$DATABASE_URL]"'] }), ctx());
    expect(r).toMatchObject({ outcome: 'succeeded', outputTail: '[][]\n' });
  });

  it('gets exactly: allow-listed server variables, its env and secretEnv, KAIROS_TASK_ID and KAIROS_ATTEMPT', async () => {
    const runner = new ShellRunner({ baseEnv: taskBaseEnv(['PATH', 'KAIROS_TEST_ALLOWED', 'NOT_SET_ANYWHERE']) });
    const r = await runner.run(shell({ command: ['env'], env: { MY_VAR: 'mine' }, secretEnv: { MY_SECRET: 'sec' } }), ctx());
    expect(r.outcome).toBe('succeeded');
    expect(envNames(r.outputTail)).toEqual(['KAIROS_ATTEMPT', 'KAIROS_TASK_ID', 'KAIROS_TEST_ALLOWED', 'MY_SECRET', 'MY_VAR', 'PATH']);
    expect(r.outputTail).toContain('KAIROS_TEST_ALLOWED=allowed-value\n');
    expect(r.outputTail).toContain('KAIROS_TASK_ID=task-1\n');
    expect(r.outputTail).toContain('KAIROS_ATTEMPT=2\n');
  });

  it('a spec cannot override KAIROS_TASK_ID, but can override an allow-listed variable', async () => {
    const r = await new ShellRunner().run(shell({ command: ['sh', '-c', 'echo "$KAIROS_TASK_ID $HOME"'], env: { KAIROS_TASK_ID: 'forged', HOME: '/tmp/h' } }), ctx());
    expect(r.outputTail).toBe('task-1 /tmp/h\n');
  });

  it('secret values reach the process and are scrubbed from its output', async () => {
    const spec = shell({ command: ['sh', '-c', 'test "$API_TOKEN" = tok-123456 && test "$DB_PASSWORD" = hunter22 && echo "ok $API_TOKEN $DB_PASSWORD"'], env: { DB_PASSWORD: 'hunter22' }, secretEnv: { API_TOKEN: 'tok-123456' } });
    const r = await new ShellRunner().run(spec, ctx());
    expect(r).toMatchObject({ outcome: 'succeeded', outputTail: `ok ${REDACTED} ${REDACTED}\n` });
  });

  it('refuses to run with a sealed (unopened) secret', async () => {
    const ring = makeKeyring(secretKeyFromBytes(Buffer.alloc(32, 5)));
    const sealed = sealSecrets(shell({ command: ['true'], secretEnv: { T: 'v' } }), ring);
    const r = await new ShellRunner().run(sealed, ctx());
    expect(r).toMatchObject({ outcome: 'failed', exitCode: null, error: expect.stringContaining('secretEnv.T is still sealed') });
  });

  it('reports the process identity: pgid = pid and the start time the process itself sees in /proc', async () => {
    const seen: ProcessIdentity[] = [];
    const pids: number[] = [];
    const r = await new ShellRunner().run(shell({ command: ['sh', '-c', 'echo $$; cut -d" " -f5,22 /proc/$$/stat'] }), ctx({ onProcess: (p: ProcessIdentity) => seen.push(p), onPid: (p: number) => pids.push(p) }));
    const [pid, stat] = r.outputTail.trim().split('\n');
    const [pgrp, start] = stat.split(' ').map(Number);
    expect(seen).toEqual([{ pid: Number(pid), pgid: pgrp, startTime: start }]);
    expect(seen[0].pgid).toBe(seen[0].pid);
    expect(pids).toEqual([Number(pid)]);
  });

  it('output: NUL bytes are made storable', async () => {
    const r = await new ShellRunner().run(shell({ command: ['printf', 'a\\000b'] }), ctx());
    expect(r.outputTail).toBe('a\ufffdb');
  });

  const root = process.getuid?.() === 0;
  (root ? it : it.skip)('TASK_RUN_AS: runs as the configured uid/gid without supplementary groups', async () => {
    const r = await new ShellRunner({ runAs: { uid: 65534, gid: 65534 } }).run(shell({ command: ['sh', '-c', 'id -u; id -g; id -G'], cwd: '/' }), ctx());
    expect(r).toMatchObject({ outcome: 'succeeded', outputTail: '65534\n65534\n65534\n' });
  });

  it('control: a child given the server environment (the old behaviour) does see it', () => {
    expect(spawnSync('sh', ['-c', 'echo "[$KAIROS_TEST_SERVER_ONLY]"'], { env: process.env, encoding: 'utf8' }).stdout).toBe('[server-only-value]\n');
  });
});
