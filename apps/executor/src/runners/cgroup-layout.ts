/**
 * Where this process's control groups are, from /proc/self/mountinfo and /proc/self/cgroup (pure
 * parsing; the limiter reads the files). Handles the three layouts hosts have:
 * - unified (cgroup v2 only): one cgroup2 mount, controllers listed in cgroup.controllers;
 * - legacy (v1): one mount per controller or per co-mounted set (cpu,cpuacct);
 * - hybrid: v1 controllers plus an empty cgroup2 mount (systemd's "unified" for process tracking).
 * Inside a container a mount may expose only a subtree: its root field says which, and paths from
 * /proc/self/cgroup are made relative to it.
 */

export interface CgroupMount {
  readonly version: 1 | 2;
  /** Where it is mounted. */
  readonly mountPoint: string;
  /** The hierarchy path the mount exposes at mountPoint ('/' unless a container shows a subtree). */
  readonly root: string;
  /** v1: the controllers bound to this hierarchy; v2: [] (read cgroup.controllers). */
  readonly controllers: readonly string[];
}

const V1_CONTROLLERS = new Set(['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'blkio', 'perf_event', 'net_prio', 'hugetlb', 'pids', 'rdma', 'misc']);

/** Parses /proc/self/mountinfo (man 5 proc): fields, then " - ", fstype, source, super options. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const root = unescapeMount(pre[3] ?? '/');
    const mountPoint = unescapeMount(pre[4] ?? '');
    if (fstype === 'cgroup2') out.push({ version: 2, mountPoint, root, controllers: [] });
    else if (fstype === 'cgroup') {
      const controllers = superOpts.split(',').filter((o) => V1_CONTROLLERS.has(o));
      out.push({ version: 1, mountPoint, root, controllers });
    }
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** This process's cgroup per v1 controller, and its v2 path (key ''). */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, path] = m;
    if (id === '0' && controllers === '') out.set('', path ?? '/');
    else for (const c of (controllers ?? '').split(',')) if (c) out.set(c, path ?? '/');
  }
  return out;
}

/** Directory of hierarchy path `cgPath` under `mount`, or null if the mount does not show it. */
export function cgroupDir(mount: CgroupMount, cgPath: string): string | null {
  const root = mount.root === '/' ? '' : mount.root.replace(/\/+$/, '');
  if (root && cgPath !== root && !cgPath.startsWith(`${root}/`)) {
    // A container's namespaced /proc/self/cgroup already shows paths relative to the mount.
    return joinPath(mount.mountPoint, cgPath);
  }
  return joinPath(mount.mountPoint, cgPath.slice(root.length));
}

export function joinPath(...parts: string[]): string {
  const joined = parts.join('/').replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}
