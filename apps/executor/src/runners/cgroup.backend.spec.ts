import { CgroupV1Backend, CgroupV2Backend } from './cgroup.backend';
import { parseCgroupMounts } from './cgroup-layout';
import type { CgroupFs } from './cgroup.fs';
import { CgroupLimiter } from './cgroup.limiter';
import { createResourceLimiter, type LimiterHost } from './resource-limiter.factory';
import { ResourceLimitError } from './resource-limiter.port';

/** cgroupfs in memory: directories, files, and per-path write failures (errno codes). */
class FakeCgroupFs implements CgroupFs {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>();
  readonly writes: Array<[string, string]> = [];
  readonly failWrites = new Map<string, string>();
  constructor(seed: Record<string, string> = {}, dirs: string[] = []) {
    for (const [k, v] of Object.entries(seed)) this.files.set(k, v);
    for (const d of dirs) this.dirs.add(d);
  }
  read(path: string): string {
    const v = this.files.get(path);
    if (v === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return v;
  }
  write(path: string, data: string): void {
    const code = this.failWrites.get(path);
    if (code) throw Object.assign(new Error(`${code}: write ${path}`), { code });
    this.writes.push([path, data]);
    this.files.set(path, data);
  }
  exists(path: string): boolean {
    return this.files.has(path) || this.dirs.has(path);
  }
  mkdirp(path: string): void {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) this.dirs.add(`/${parts.slice(0, i).join('/')}`);
  }
  rmdir(path: string): void {
    this.dirs.delete(path);
  }
  listDirs(path: string): string[] {
    return [...this.dirs].filter((d) => d.startsWith(`${path}/`) && !d.slice(path.length + 1).includes('/')).map((d) => d.slice(path.length + 1));
  }
}

const V1_MOUNTS = parseCgroupMounts(`32 31 0:29 / /cg/cpu rw - cgroup cgroup rw,cpu
33 31 0:30 / /cg/cpuacct rw - cgroup cgroup rw,cpuacct
35 31 0:32 / /cg/memory rw - cgroup cgroup rw,memory
39 31 0:36 / /cg/pids rw - cgroup cgroup rw,pids`);
const V2_MOUNT = parseCgroupMounts('41 31 0:38 / /cg2 rw - cgroup2 cgroup2 rw')[0]!;
const limits = { cpuQuotaUs: 20_000, memBytes: 80 * 2 ** 20, memLimitMb: 80, pidsMax: 64 };

describe('CgroupV1Backend', () => {
  const own = new Map([['memory', '/svc'], ['cpu', '/'], ['cpuacct', '/'], ['pids', '/']]);

  it('puts parents below its own group in each hierarchy and writes the limits', () => {
    const fs = new FakeCgroupFs({ '/cg/memory/svc/kairos/k-t-1/memory.memsw.limit_in_bytes': '' });
    const b = new CgroupV1Backend(fs, V1_MOUNTS, own, null);
    expect(b.parents).toEqual(['/cg/memory/svc/kairos', '/cg/cpu/kairos', '/cg/cpuacct/kairos', '/cg/pids/kairos']);
    b.setUp();
    b.create('k-t-1', limits);
    expect(fs.writes).toEqual([
      ['/cg/memory/svc/kairos/k-t-1/memory.limit_in_bytes', String(80 * 2 ** 20)],
      ['/cg/memory/svc/kairos/k-t-1/memory.memsw.limit_in_bytes', String(80 * 2 ** 20)],
      ['/cg/cpu/kairos/k-t-1/cpu.cfs_period_us', '100000'],
      ['/cg/cpu/kairos/k-t-1/cpu.cfs_quota_us', '20000'],
      ['/cg/pids/kairos/k-t-1/pids.max', '64'],
    ]);
    b.admit('k-t-1', 4242);
    expect(fs.writes.slice(-4).map(([p, v]) => [p.split('/')[2], p.endsWith('/cgroup.procs'), v])).toEqual([
      ['memory', true, '4242'],
      ['cpu', true, '4242'],
      ['cpuacct', true, '4242'],
      ['pids', true, '4242'],
    ]);
  });

  it('an unlimited CPU request writes quota -1; a failed write removes what was made and says which group', () => {
    const fs = new FakeCgroupFs();
    const b = new CgroupV1Backend(fs, V1_MOUNTS, own, '/tasks');
    b.create('k-a-1', { ...limits, cpuQuotaUs: null, memBytes: null });
    expect(fs.files.get('/cg/cpu/tasks/k-a-1/cpu.cfs_quota_us')).toBe('-1');
    expect(fs.files.has('/cg/memory/tasks/k-a-1/memory.limit_in_bytes')).toBe(false);
    fs.failWrites.set('/cg/cpu/tasks/k-b-1/cpu.cfs_period_us', 'EACCES');
    expect(() => b.create('k-b-1', limits)).toThrow(/cgroup v1: cannot set up group k-b-1: EACCES/);
    expect(b.exists('k-b-1')).toBe(false);
  });

  it('reads CPU time, memory peak, throttling and OOM kills', () => {
    const d = (h: string) => `/cg/${h}/kairos/g`;
    const fs = new FakeCgroupFs({
      [`${d('cpuacct')}/cpuacct.usage`]: '1500000000\n',
      [`${d('cpu')}/cpu.stat`]: 'nr_periods 40\nnr_throttled 31\nthrottled_time 2500000000\n',
      [`${d('memory')}/memory.usage_in_bytes`]: '1048576\n',
      [`${d('memory')}/memory.max_usage_in_bytes`]: '41943040\n',
      [`${d('memory')}/memory.oom_control`]: 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
    });
    const b = new CgroupV1Backend(fs, V1_MOUNTS, new Map(), null);
    expect(b.counters('g')).toEqual({ cpuSeconds: 1.5, memCurrentBytes: 1_048_576, memPeakBytes: 41_943_040, throttledSeconds: 2.5, oomKills: 1 });
  });

  it('needs memory and cpu hierarchies', () => {
    expect(() => new CgroupV1Backend(new FakeCgroupFs(), V1_MOUNTS.filter((m) => !m.controllers.includes('memory')), own, null)).toThrow(/no memory hierarchy/);
  });
});

describe('CgroupV2Backend', () => {
  const seed = (): Record<string, string> => ({
    '/cg2/cgroup.controllers': 'cpuset cpu io memory pids',
    '/cg2/cgroup.subtree_control': '',
    '/cg2/svc/cgroup.subtree_control': '',
    '/cg2/svc/kairos/cgroup.subtree_control': '',
  });

  it('enables cpu, memory and pids from the top down to its parent, then writes cpu.max, memory.max, oom.group', () => {
    const fs = new FakeCgroupFs({ ...seed(), '/cg2/svc/kairos/k-t-1/memory.oom.group': '0', '/cg2/svc/kairos/k-t-1/memory.swap.max': 'max' });
    const b = new CgroupV2Backend(fs, V2_MOUNT, '/svc', null);
    b.setUp();
    expect(fs.writes).toEqual([
      ['/cg2/cgroup.subtree_control', '+cpu +memory +pids'],
      ['/cg2/svc/cgroup.subtree_control', '+cpu +memory +pids'],
      ['/cg2/svc/kairos/cgroup.subtree_control', '+cpu +memory +pids'],
    ]);
    fs.writes.length = 0;
    b.create('k-t-1', limits);
    expect(fs.writes).toEqual([
      ['/cg2/svc/kairos/k-t-1/cpu.max', '20000 100000'],
      ['/cg2/svc/kairos/k-t-1/memory.max', String(80 * 2 ** 20)],
      ['/cg2/svc/kairos/k-t-1/memory.swap.max', '0'],
      ['/cg2/svc/kairos/k-t-1/memory.oom.group', '1'],
      ['/cg2/svc/kairos/k-t-1/pids.max', '64'],
    ]);
  });

  it('explains the no-internal-processes rule when its own group cannot hand out controllers', () => {
    const fs = new FakeCgroupFs(seed());
    fs.failWrites.set('/cg2/svc/cgroup.subtree_control', 'EBUSY');
    expect(() => new CgroupV2Backend(fs, V2_MOUNT, '/svc', null).setUp()).toThrow(/cannot enable cpu, memory, pids below \/cg2\/svc \(it has processes of its own: set TASK_CGROUP_PARENT/);
  });

  it('refuses a host whose cpu or memory controller is bound to v1', () => {
    const fs = new FakeCgroupFs({ ...seed(), '/cg2/cgroup.controllers': 'pids' });
    expect(() => new CgroupV2Backend(fs, V2_MOUNT, '/', null).setUp()).toThrow(/the cpu and memory controllers are not available/);
  });

  it('reads usage from cpu.stat, memory.peak and memory.events; kills through cgroup.kill', () => {
    const d = '/cg2/kairos/g';
    const fs = new FakeCgroupFs({ [`${d}/cpu.stat`]: 'usage_usec 2000000\nuser_usec 1\nsystem_usec 1\nnr_throttled 3\nthrottled_usec 500000\n', [`${d}/memory.current`]: '4096', [`${d}/memory.peak`]: '8192', [`${d}/memory.events`]: 'low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 1\n', [`${d}/cgroup.kill`]: '' });
    const b = new CgroupV2Backend(fs, V2_MOUNT, '/', null);
    expect(b.counters('g')).toEqual({ cpuSeconds: 2, memCurrentBytes: 4096, memPeakBytes: 8192, throttledSeconds: 0.5, oomKills: 1 });
    const killed: number[] = [];
    b.killAll('g', (pid) => killed.push(pid));
    expect(fs.files.get(`${d}/cgroup.kill`)).toBe('1');
    expect(killed).toEqual([]);
  });
});

describe('createResourceLimiter', () => {
  const host = (fs: CgroupFs, mountinfo: string, procCgroup: string): LimiterHost => ({ fs, mountinfo: () => mountinfo, procCgroup: () => procCgroup });
  const config = (TASK_LIMITS: 'auto' | 'cgroup' | 'rlimit' | 'off') => ({ TASK_LIMITS, TASK_MEM_HEADROOM_PCT: 25, TASK_PIDS_MAX: 128, TASK_CGROUP_PARENT: undefined });
  const noCgroups = host(new FakeCgroupFs(), '22 1 0:21 / /proc rw - proc proc rw', '0::/\n');

  it('auto falls back to rlimits and says why', async () => {
    const l = await createResourceLimiter(config('auto'), { host: noCgroups });
    expect(l.status()).toMatchObject({ mode: 'rlimit', enforced: { cpu: false, memory: 'process', pids: false, usage: null }, reason: 'no usable cgroup: no cgroup hierarchy with the cpu and memory controllers is mounted' });
  });

  it('TASK_LIMITS=cgroup refuses to start without one', async () => {
    await expect(createResourceLimiter(config('cgroup'), { host: noCgroups })).rejects.toThrow(ResourceLimitError);
    await expect(createResourceLimiter(config('cgroup'), { host: noCgroups })).rejects.toThrow('TASK_LIMITS=cgroup but no cgroup is usable');
  });

  it('off and rlimit are taken as asked', async () => {
    expect((await createResourceLimiter(config('off'), { host: noCgroups })).mode).toBe('off');
    expect((await createResourceLimiter(config('rlimit'), { host: noCgroups })).status().reason).toBeNull();
  });

  it('prefers v2 when it has the controllers, v1 on a hybrid host, and probes with a real group', async () => {
    const v2fs = new FakeCgroupFs({ '/cg2/cgroup.controllers': 'cpu memory pids', '/cg2/cgroup.subtree_control': 'cpu memory pids', '/cg2/kairos/cgroup.subtree_control': '' });
    const v2 = await createResourceLimiter(config('auto'), { host: host(v2fs, '41 31 0:38 / /cg2 rw - cgroup2 cgroup2 rw', '0::/\n') });
    expect(v2).toBeInstanceOf(CgroupLimiter);
    expect(v2.status()).toMatchObject({ mode: 'cgroup-v2', groupParents: ['/cg2/kairos'], pidsMax: 128 });
    expect(v2fs.writes.some(([p, v]) => p === `/cg2/kairos/kairos-probe.${process.pid}-0/memory.max` && v === String(20 * 2 ** 20))).toBe(true);
    expect(v2fs.dirs.has(`/cg2/kairos/kairos-probe.${process.pid}-0`)).toBe(false);

    const hybrid = `${'32 31 0:29 / /cg/cpu rw - cgroup cgroup rw,cpu\n35 31 0:32 / /cg/memory rw - cgroup cgroup rw,memory'}\n41 31 0:38 / /cg2 rw - cgroup2 cgroup2 rw`;
    const v1fs = new FakeCgroupFs({ '/cg2/cgroup.controllers': '' });
    const v1 = await createResourceLimiter(config('auto'), { host: host(v1fs, hybrid, '2:cpu:/\n4:memory:/\n0::/\n'), prefix: 'x' });
    expect(v1.status()).toMatchObject({ mode: 'cgroup-v1', enforced: { pids: false }, pidsMax: null });
  });
});
