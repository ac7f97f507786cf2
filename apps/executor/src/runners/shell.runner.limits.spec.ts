import { RunSpecSchema, type RunSpec } from '@kairos/contracts';
import { NoLimiter, RlimitLimiter } from './rlimit.limiter';
import { attemptOutcomeOf } from './runner.port';
import { buildTaskEnv, ShellRunner } from './shell.runner';

// Real processes (no root needed): slow only when the machine is busy.
jest.setTimeout(30_000);

type ShellSpec = Extract<RunSpec, { kind: 'shell' }>;
const shell = (over: object): ShellSpec => RunSpecSchema.parse({ kind: 'shell', ...over }) as ShellSpec;
const ctx = (over: object = {}) => ({ taskId: 'task-1', attempt: 1, timeoutMs: 10_000, outputTailBytes: 4096, signal: new AbortController().signal, ...over });

describe('ShellRunner: GPUs', () => {
  it('a task given devices sees exactly them in CUDA_VISIBLE_DEVICES, and cannot override it', () => {
    const env = buildTaskEnv({ PATH: '/bin' }, shell({ command: ['true'], env: { CUDA_VISIBLE_DEVICES: '0,1,2,3' } }), { taskId: 't', attempt: 1, gpuDevices: [2, 3] });
    expect(env.CUDA_VISIBLE_DEVICES).toBe('2,3');
  });

  it('a task given no devices on a GPU node sees none; without gpuDevices nothing is set', () => {
    expect(buildTaskEnv({}, shell({ command: ['true'] }), { taskId: 't', attempt: 1, gpuDevices: [] }).CUDA_VISIBLE_DEVICES).toBe('');
    expect('CUDA_VISIBLE_DEVICES' in buildTaskEnv({}, shell({ command: ['true'] }), { taskId: 't', attempt: 1 })).toBe(false);
  });

  it('reaches the process', async () => {
    const r = await new ShellRunner().run(shell({ command: ['sh', '-c', 'echo "[$CUDA_VISIBLE_DEVICES]"'] }), ctx({ gpuDevices: [1] }));
    expect(r).toMatchObject({ outcome: 'succeeded', outputTail: '[1]\n' });
  });
});

describe('ShellRunner: rlimit fallback', () => {
  const runner = new ShellRunner({ limiter: new RlimitLimiter({ memHeadroomPct: 25, pidsMax: null }, 'test') });

  it('limits each process’s data segment to request + headroom: an allocation beyond it fails, one within succeeds', async () => {
    const alloc = (mb: number) => shell({ command: ['python3', '-c', `b = bytearray(${mb} * 2**20); print("ok")`] });
    const over = await runner.run(alloc(200), ctx({ resources: { cpuMillis: 100, memMb: 64 } }));
    expect(over.outcome).toBe('failed');
    expect(over.outputTail).toContain('MemoryError');
    // rlimits cannot tell an OOM kill: the task failed with its own error.
    expect(over.oomKilled).toBeUndefined();
    expect(attemptOutcomeOf(over)).toBe('failed');
    const within = await runner.run(alloc(20), ctx({ resources: { cpuMillis: 100, memMb: 64 } }));
    expect(within).toMatchObject({ outcome: 'succeeded', outputTail: 'ok\n', usage: null });
  });

  it('keeps the process identity through the wrapper (pgid = pid, start time as /proc says)', async () => {
    const seen: Array<{ pid: number; pgid: number }> = [];
    const r = await runner.run(shell({ command: ['sh', '-c', 'echo $$; cut -d" " -f5 /proc/$$/stat'] }), ctx({ resources: { cpuMillis: 100, memMb: 64 }, onProcess: (p: { pid: number; pgid: number }) => seen.push(p) }));
    const [pid, pgrp] = r.outputTail.trim().split('\n').map(Number);
    expect(seen[0]).toMatchObject({ pid, pgid: pgrp });
  });

  it('a missing program is reported as spawn reports it, not as the wrapper’s exit 127', async () => {
    const r = await runner.run(shell({ command: ['/no/such/program'] }), ctx({ resources: { cpuMillis: 100, memMb: 64 } }));
    expect(r).toMatchObject({ outcome: 'failed', exitCode: null, error: 'spawn /no/such/program: ENOENT (not found or not executable)' });
  });

  it('reports its mode and what it cannot enforce', () => {
    expect(new RlimitLimiter({ memHeadroomPct: 10, pidsMax: 99 }, 'no usable cgroup: x').status()).toEqual({
      mode: 'rlimit',
      enforced: { cpu: false, memory: 'process', pids: false, usage: null },
      memHeadroomPct: 10,
      pidsMax: null,
      groupParents: [],
      reason: 'no usable cgroup: x',
    });
    expect(new NoLimiter().status().mode).toBe('off');
  });
});

describe('attemptOutcomeOf', () => {
  it.each([
    [{ outcome: 'failed', oomKilled: true }, 'oom_killed'],
    [{ outcome: 'failed' }, 'failed'],
    [{ outcome: 'timed_out', oomKilled: true }, 'timed_out'],
    [{ outcome: 'succeeded' }, 'succeeded'],
  ] as const)('%j → %s', (r, out) => {
    expect(attemptOutcomeOf(r)).toBe(out);
  });
});
