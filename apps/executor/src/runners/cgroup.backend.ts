import { CPU_PERIOD_US, type GroupLimits } from './attempt-limits';
import { cgroupDir, joinPath, type CgroupMount } from './cgroup-layout';
import { errnoOf, type CgroupFs } from './cgroup.fs';
import { ResourceLimitError } from './resource-limiter.port';

/** Raw counters of one attempt group. */
export interface GroupCounters {
  readonly cpuSeconds: number;
  readonly memCurrentBytes: number;
  /** The kernel's own high-water mark, where it keeps one (v1 always; v2 from Linux 5.19). */
  readonly memPeakBytes: number | null;
  readonly throttledSeconds: number | null;
  readonly oomKills: number;
}

/** The version-specific part of the cgroup limiter: where groups live and which files mean what. */
export interface CgroupBackend {
  readonly mode: 'cgroup-v1' | 'cgroup-v2';
  /** Parent directories of attempt groups, one per hierarchy in use. */
  readonly parents: readonly string[];
  readonly enforcesPids: boolean;
  /** Makes sure the parents exist and can hold limited children (run once, at start). */
  setUp(): void;
  exists(name: string): boolean;
  /** mkdir in every hierarchy and write the limits; on failure removes what it made and throws. */
  create(name: string, limits: GroupLimits): void;
  /** Moves `pid` into the group in every hierarchy. */
  admit(name: string, pid: number): void;
  counters(name: string): GroupCounters;
  procs(name: string): number[];
  /** Signals every process of the group (v2: cgroup.kill where the kernel has it). */
  killAll(name: string, kill: (pid: number) => void): void;
  /** rmdir in every hierarchy (throws EBUSY while processes remain). */
  remove(name: string): void;
  /** Names of the groups under the parents. */
  list(): string[];
}

const setupFailed = (what: string, err: unknown) =>
  new ResourceLimitError('CGROUP_SETUP_FAILED', `${what}: ${err instanceof Error ? err.message : String(err)}`, { errno: errnoOf(err) });

function numberIn(text: string, key: string): number | null {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

function parsePids(text: string): number[] {
  return text
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * cgroup v1: one directory per hierarchy (memory; cpu for the CFS quota; cpuacct for CPU time,
 * often co-mounted with cpu; pids when mounted). Parents default to `<own group>/kairos` in each.
 */
export class CgroupV1Backend implements CgroupBackend {
  readonly mode = 'cgroup-v1' as const;
  readonly parents: readonly string[];
  readonly enforcesPids: boolean;
  private readonly dirs: { memory: string; cpu: string; cpuacct: string; pids: string | null };

  constructor(
    private readonly fs: CgroupFs,
    mounts: readonly CgroupMount[],
    own: ReadonlyMap<string, string>,
    parentPath: string | null,
  ) {
    const parentOf = (controller: string): string | null => {
      const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
      if (!mount) return null;
      const base = parentPath ?? joinPath(own.get(controller) ?? '/', 'kairos');
      return cgroupDir(mount, base);
    };
    const memory = parentOf('memory');
    const cpu = parentOf('cpu');
    if (!memory || !cpu) throw new ResourceLimitError('LIMITS_UNAVAILABLE', `cgroup v1: no ${memory ? 'cpu' : 'memory'} hierarchy is mounted`);
    this.dirs = { memory, cpu, cpuacct: parentOf('cpuacct') ?? cpu, pids: parentOf('pids') };
    this.enforcesPids = this.dirs.pids !== null;
    this.parents = [...new Set([this.dirs.memory, this.dirs.cpu, this.dirs.cpuacct, ...(this.dirs.pids ? [this.dirs.pids] : [])])];
  }

  setUp(): void {
    for (const p of this.parents) {
      try {
        this.fs.mkdirp(p);
      } catch (err) {
        throw setupFailed(`cannot create ${p}`, err);
      }
    }
  }

  exists(name: string): boolean {
    return this.parents.some((p) => this.fs.exists(joinPath(p, name)));
  }

  create(name: string, l: GroupLimits): void {
    const made: string[] = [];
    try {
      for (const p of this.parents) {
        const dir = joinPath(p, name);
        this.fs.mkdirp(dir);
        made.push(dir);
      }
      const mem = joinPath(this.dirs.memory, name);
      if (l.memBytes !== null) {
        this.fs.write(`${mem}/memory.limit_in_bytes`, String(l.memBytes));
        // Without swap accounting the limit would only bound RAM and the task could swap instead.
        if (this.fs.exists(`${mem}/memory.memsw.limit_in_bytes`)) this.fs.write(`${mem}/memory.memsw.limit_in_bytes`, String(l.memBytes));
      }
      const cpu = joinPath(this.dirs.cpu, name);
      this.fs.write(`${cpu}/cpu.cfs_period_us`, String(CPU_PERIOD_US));
      this.fs.write(`${cpu}/cpu.cfs_quota_us`, String(l.cpuQuotaUs ?? -1));
      if (this.dirs.pids && l.pidsMax !== null) this.fs.write(`${joinPath(this.dirs.pids, name)}/pids.max`, String(l.pidsMax));
    } catch (err) {
      for (const dir of made.reverse()) {
        try {
          this.fs.rmdir(dir);
        } catch {
          /* best effort: cleanup at next start */
        }
      }
      throw setupFailed(`cgroup v1: cannot set up group ${name}`, err);
    }
  }

  admit(name: string, pid: number): void {
    for (const p of this.parents) {
      try {
        this.fs.write(`${joinPath(p, name)}/cgroup.procs`, String(pid));
      } catch (err) {
        throw new ResourceLimitError('CGROUP_ADMIT_FAILED', `cannot move pid ${pid} into ${joinPath(p, name)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  counters(name: string): GroupCounters {
    const mem = joinPath(this.dirs.memory, name);
    const cpuStat = this.fs.read(`${joinPath(this.dirs.cpu, name)}/cpu.stat`);
    const throttledNs = numberIn(cpuStat, 'throttled_time');
    return {
      cpuSeconds: Number(this.fs.read(`${joinPath(this.dirs.cpuacct, name)}/cpuacct.usage`).trim()) / 1e9,
      memCurrentBytes: Number(this.fs.read(`${mem}/memory.usage_in_bytes`).trim()),
      memPeakBytes: Number(this.fs.read(`${mem}/memory.max_usage_in_bytes`).trim()),
      throttledSeconds: throttledNs === null ? null : throttledNs / 1e9,
      // `oom_kill` appeared in memory.oom_control in Linux 4.13; older kernels cannot tell.
      oomKills: numberIn(this.fs.read(`${mem}/memory.oom_control`), 'oom_kill') ?? 0,
    };
  }

  procs(name: string): number[] {
    const seen = new Set<number>();
    for (const p of this.parents) {
      try {
        for (const pid of parsePids(this.fs.read(`${joinPath(p, name)}/cgroup.procs`))) seen.add(pid);
      } catch {
        /* group gone in this hierarchy */
      }
    }
    return [...seen];
  }

  killAll(name: string, kill: (pid: number) => void): void {
    for (const pid of this.procs(name)) kill(pid);
  }

  remove(name: string): void {
    for (const p of this.parents) {
      const dir = joinPath(p, name);
      try {
        this.fs.rmdir(dir);
      } catch (err) {
        if (errnoOf(err) !== 'ENOENT') throw err;
      }
    }
  }

  list(): string[] {
    return [...new Set(this.parents.flatMap((p) => this.fs.listDirs(p)))];
  }
}

const V2_REQUIRED = ['cpu', 'memory'] as const;

/**
 * cgroup v2: one unified directory per attempt. The parent (default `<own group>/kairos`) must be able
 * to hand cpu, memory and pids to its children: every ancestor up to it needs them in
 * cgroup.subtree_control, which the kernel refuses (EBUSY) for a group that has processes of its own
 * (the "no internal processes" rule), e.g. the executor's own group. Then TASK_CGROUP_PARENT must
 * name a delegated group (systemd: Delegate=yes, the executor itself in a leaf below it).
 */
export class CgroupV2Backend implements CgroupBackend {
  readonly mode = 'cgroup-v2' as const;
  readonly parents: readonly string[];
  enforcesPids = false;
  private readonly parent: string;
  private readonly mountPoint: string;

  constructor(
    private readonly fs: CgroupFs,
    mount: CgroupMount,
    own: string,
    parentPath: string | null,
  ) {
    this.mountPoint = mount.mountPoint;
    this.parent = cgroupDir(mount, parentPath ?? joinPath(own, 'kairos')) ?? mount.mountPoint;
    this.parents = [this.parent];
  }

  setUp(): void {
    const available = (dir: string) => this.fs.read(`${dir}/cgroup.controllers`).trim().split(/\s+/);
    const root = available(this.mountPoint);
    const missing = V2_REQUIRED.filter((c) => !root.includes(c));
    if (missing.length > 0) throw new ResourceLimitError('LIMITS_UNAVAILABLE', `cgroup v2: the ${missing.join(' and ')} controller${missing.length > 1 ? 's are' : ' is'} not available on this host (bound to a v1 hierarchy?)`);
    const wanted = [...V2_REQUIRED, ...(root.includes('pids') ? ['pids'] : [])];
    try {
      this.fs.mkdirp(this.parent);
    } catch (err) {
      throw setupFailed(`cannot create ${this.parent}`, err);
    }
    // Enable the controllers from the top down to the parent, each level handing them to the next.
    const rel = this.parent.slice(this.mountPoint.length).split('/').filter(Boolean);
    let dir = this.mountPoint;
    for (let i = 0; i <= rel.length; i++) {
      const enabled = this.fs.read(`${dir}/cgroup.subtree_control`).trim().split(/\s+/);
      const add = wanted.filter((c) => !enabled.includes(c));
      if (add.length > 0) {
        try {
          this.fs.write(`${dir}/cgroup.subtree_control`, add.map((c) => `+${c}`).join(' '));
        } catch (err) {
          const why = errnoOf(err) === 'EBUSY' ? ' (it has processes of its own: set TASK_CGROUP_PARENT to a delegated group whose subtree the executor manages)' : '';
          throw setupFailed(`cgroup v2: cannot enable ${add.join(', ')} below ${dir}${why}`, err);
        }
      }
      if (i < rel.length) dir = joinPath(dir, rel[i] as string);
    }
    this.enforcesPids = wanted.includes('pids');
  }

  exists(name: string): boolean {
    return this.fs.exists(joinPath(this.parent, name));
  }

  create(name: string, l: GroupLimits): void {
    const dir = joinPath(this.parent, name);
    try {
      this.fs.mkdirp(dir);
      this.fs.write(`${dir}/cpu.max`, `${l.cpuQuotaUs ?? 'max'} ${CPU_PERIOD_US}`);
      if (l.memBytes !== null) {
        this.fs.write(`${dir}/memory.max`, String(l.memBytes));
        if (this.fs.exists(`${dir}/memory.swap.max`)) this.fs.write(`${dir}/memory.swap.max`, '0');
      }
      // One OOM kill takes the whole attempt down, not a random member of it (Linux 4.19+).
      if (this.fs.exists(`${dir}/memory.oom.group`)) this.fs.write(`${dir}/memory.oom.group`, '1');
      if (this.enforcesPids && l.pidsMax !== null) this.fs.write(`${dir}/pids.max`, String(l.pidsMax));
    } catch (err) {
      try {
        this.fs.rmdir(dir);
      } catch {
        /* best effort */
      }
      throw setupFailed(`cgroup v2: cannot set up group ${name}`, err);
    }
  }

  admit(name: string, pid: number): void {
    const dir = joinPath(this.parent, name);
    try {
      this.fs.write(`${dir}/cgroup.procs`, String(pid));
    } catch (err) {
      throw new ResourceLimitError('CGROUP_ADMIT_FAILED', `cannot move pid ${pid} into ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  counters(name: string): GroupCounters {
    const dir = joinPath(this.parent, name);
    const cpuStat = this.fs.read(`${dir}/cpu.stat`);
    const throttledUs = numberIn(cpuStat, 'throttled_usec');
    const peakFile = `${dir}/memory.peak`;
    return {
      cpuSeconds: (numberIn(cpuStat, 'usage_usec') ?? 0) / 1e6,
      memCurrentBytes: Number(this.fs.read(`${dir}/memory.current`).trim()),
      memPeakBytes: this.fs.exists(peakFile) ? Number(this.fs.read(peakFile).trim()) : null,
      throttledSeconds: throttledUs === null ? null : throttledUs / 1e6,
      oomKills: numberIn(this.fs.read(`${dir}/memory.events`), 'oom_kill') ?? 0,
    };
  }

  procs(name: string): number[] {
    try {
      return parsePids(this.fs.read(`${joinPath(this.parent, name)}/cgroup.procs`));
    } catch {
      return [];
    }
  }

  killAll(name: string, kill: (pid: number) => void): void {
    const killFile = `${joinPath(this.parent, name)}/cgroup.kill`;
    if (this.fs.exists(killFile)) {
      // Linux 5.14+: the kernel kills every member, forks in flight included (no pid races).
      this.fs.write(killFile, '1');
      return;
    }
    for (const pid of this.procs(name)) kill(pid);
  }

  remove(name: string): void {
    try {
      this.fs.rmdir(joinPath(this.parent, name));
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw err;
    }
  }

  list(): string[] {
    return this.fs.listDirs(this.parent);
  }
}
