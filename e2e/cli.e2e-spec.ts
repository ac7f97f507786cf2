import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startService, TEST_ADMIN_KEY, type ServiceProcess } from '@kairos/testing';

// The `kairos` CLI as a user runs it: a child process (from source through the launcher) against
// standalone mode started as its own process. Submits and watches workflows, lists, reads logs.

const ROOT = resolve(__dirname, '..');
const LAUNCHER = join(ROOT, 'apps', 'cli', 'bin', 'kairos.js');

/**
 * The server requires API keys: both sides get the same admin key. The service stores it at first
 * start from KAIROS_ADMIN_KEY (startService sets TEST_ADMIN_KEY), the CLI sends it as KAIROS_KEY.
 */
const ADMIN_KEY = TEST_ADMIN_KEY;
const serviceAuthEnv = (): Record<string, string> => ({ KAIROS_ADMIN_KEY: ADMIN_KEY });
const cliAuthEnv = (): Record<string, string> => ({ KAIROS_KEY: ADMIN_KEY });

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('kairos CLI against standalone', () => {
  let dir: string;
  let svc: ServiceProcess;

  /** Runs the CLI to completion (bounded), with a config home of its own so no real login leaks in. */
  const kairos = (args: string[], env: Record<string, string> = {}, timeoutMs = 45_000): Promise<CliRun> =>
    new Promise((res) => {
      execFile(
        process.execPath,
        [LAUNCHER, ...args],
        {
          cwd: dir,
          timeout: timeoutMs,
          env: { ...process.env, NODE_OPTIONS: '', KAIROS_CLI_FROM_SOURCE: '1', XDG_CONFIG_HOME: join(dir, 'config'), KAIROS_URL: `http://127.0.0.1:${svc.port}`, ...cliAuthEnv(), ...env },
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          res({ code, stdout, stderr });
        },
      );
    });
  const show = (r: CliRun) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-cli-'));
    svc = await startService('standalone', { DATA_DIR: join(dir, 'data'), EXECUTOR_NODES: 'n1:16000:16384', EXECUTOR_SLOTS: '16', ...serviceAuthEnv() });
    await svc.waitHealthy(120_000);
  }, 150_000);

  afterAll(async () => {
    await svc?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('submit -f wf.yaml --watch: a 4-task workflow of noop tasks succeeds, exit 0, progress shown', async () => {
    writeFileSync(
      join(dir, 'wf.yaml'),
      [
        '# fan-out / fan-in',
        'name: cli-ok',
        'tasks:',
        '  - key: extract',
        '    run: { kind: noop, sleepMs: 200 }',
        '  - key: left',
        '    dependsOn: [extract]',
        '    run: { kind: noop, sleepMs: 200 }',
        '  - key: right',
        '    dependsOn: [extract]',
        '    run: { kind: noop, sleepMs: 200 }',
        '  - key: load',
        '    dependsOn: [left, right]',
        '    run: { kind: noop }',
        '',
      ].join('\n'),
    );
    const r = await kairos(['submit', '-f', 'wf.yaml', '--watch', '--interval', '200ms']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    // Not a terminal here, so the plain progress lines, the last one the end state.
    expect(r.stderr).toMatch(/^submitted workflow cli-ok [0-9a-f-]{36} \(4 tasks\)$/m);
    expect(r.stderr).toMatch(/^workflow cli-ok: \d\/4 done, 0 failed, /m);
    expect(r.stderr).toMatch(/^workflow cli-ok: succeeded, 4\/4 done, 0 failed, 0 running, elapsed /m);
    expect(r.stdout).toMatch(/^workflow cli-ok \([0-9a-f-]{36}\) succeeded: 4\/4 tasks in \S+\n$/);
  }, 60_000);

  it('submit --watch of a workflow with a failing task exits 1 naming it; ls --json parses', async () => {
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        name: 'cli-bad',
        tasks: [
          { key: 'a', run: { kind: 'noop' } },
          { key: 'b', run: { kind: 'noop', failWith: 7 }, dependsOn: ['a'] },
          { key: 'c', run: { kind: 'noop' }, dependsOn: ['b'] },
        ],
      }),
    );
    const r = await kairos(['submit', '-f', 'bad.json', '--watch', '--interval', '200ms']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 1 });
    expect(r.stderr).toMatch(/^workflow cli-bad: failed, 1\/3 done, 1 failed, 1 not run, 0 running/m);
    expect(r.stderr).toMatch(/^error: workflow cli-bad \([0-9a-f-]{36}\) failed: 1\/3 succeeded, 1 failed, 1 not run \(upstream failed\)$/m);
    expect(r.stderr).toMatch(/^ {2}b: failed \(exit code 7\) — kairos logs [0-9a-f-]{36}$/m);

    const ls = await kairos(['ls', '--json', '--limit', '50']);
    expect(ls.code).toBe(0);
    const page = JSON.parse(ls.stdout) as { items: Array<{ name: string; status: string }>; nextCursor: string | null };
    expect(page.items.find((t) => t.name === 'cli-bad/b')?.status).toBe('failed');
    expect(page.items.find((t) => t.name === 'cli-bad/c')?.status).toBe('upstream_failed');
    const wfs = JSON.parse((await kairos(['--json', 'ls', 'workflows'])).stdout) as { items: Array<{ name: string; status: string }> };
    expect(wfs.items.map((w) => `${w.name}:${w.status}`)).toEqual(expect.arrayContaining(['cli-bad:failed']));
  }, 60_000);

  it('a shell task: submit prints its id, watch exits 0, logs shows its output', async () => {
    const sub = await kairos(['submit', '--', 'sh', '-c', 'echo hello-from-kairos-cli; echo to-stderr >&2']);
    expect({ code: sub.code, out: show(sub) }).toMatchObject({ code: 0 });
    const id = sub.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const watch = await kairos(['watch', id, '--interval', '200ms']);
    expect({ code: watch.code, out: show(watch) }).toMatchObject({ code: 0 });
    expect(watch.stdout).toMatch(new RegExp(`^task ${id} succeeded`));
    const logs = await kairos(['logs', id]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe('hello-from-kairos-cli\nto-stderr\n');
  }, 60_000);

  it('the server’s 400 reaches the user (exit 2); an unreachable server is exit 3', async () => {
    writeFileSync(join(dir, 'dangling.yaml'), 'name: dangling\ntasks:\n  - key: a\n    dependsOn: [ghost]\n    run: { kind: noop }\n');
    const bad = await kairos(['submit', '-f', 'dangling.yaml']);
    expect({ code: bad.code, out: show(bad) }).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('error: the server rejected the request: invalid workflow: tasks[0].dependsOn[0]: unknown task key "ghost" (HTTP 400 VALIDATION_FAILED)');
    const closed = await freePort();
    const down = await kairos(['ls', '--request-timeout', '2s'], { KAIROS_URL: `http://127.0.0.1:${closed}` });
    expect({ code: down.code, out: show(down) }).toMatchObject({ code: 3 });
    expect(down.stderr).toContain(`error: cannot reach http://127.0.0.1:${closed} (ECONNREFUSED)`);
  }, 60_000);

  it('API keys: no key → exit 3 saying how to log in; keys create/ls/revoke; a read key cannot submit', async () => {
    const none = await kairos(['ls'], { KAIROS_KEY: '' });
    expect({ code: none.code, out: show(none) }).toMatchObject({ code: 3 });
    expect(none.stderr).toContain('KEY_MISSING');
    expect(none.stderr).toContain('kairos login --key-stdin');
    const created = await kairos(['keys', 'create', '--name', 'e2e-reader', '--scope', 'read']);
    expect({ code: created.code, out: show(created) }).toMatchObject({ code: 0 });
    const reader = created.stdout.trim();
    expect(reader).toMatch(/^kairos_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const id = reader.split('_')[1];
    const listed = await kairos(['keys', 'ls']);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(reader);
    expect((await kairos(['ls'], { KAIROS_KEY: reader })).code).toBe(0);
    const submit = await kairos(['submit', '--', 'echo', 'nope'], { KAIROS_KEY: reader });
    expect({ code: submit.code, out: show(submit) }).toMatchObject({ code: 3 });
    expect(submit.stderr).toContain('SCOPE_INSUFFICIENT');
    expect((await kairos(['keys', 'revoke', id])).code).toBe(0);
    const revoked = await kairos(['ls'], { KAIROS_KEY: reader });
    expect(revoked.stderr).toContain('KEY_REVOKED');
  }, 60_000);

  it('`npx kairos` finds the launcher through package.json (root bin; node_modules/.bin after npm ci)', async () => {
    const r = await new Promise<CliRun>((res) =>
      execFile('npx', ['--offline', '--no-install', 'kairos', '--version'], { cwd: ROOT, timeout: 45_000, env: { ...process.env, NODE_OPTIONS: '', KAIROS_CLI_FROM_SOURCE: '1' } }, (err, stdout, stderr) =>
        res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      ),
    );
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 60_000);
});
