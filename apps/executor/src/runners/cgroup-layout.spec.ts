import { cgroupDir, parseCgroupMounts, parseProcCgroup } from './cgroup-layout';

// /proc/self/mountinfo of the development VM (hybrid: v1 controllers plus an empty cgroup2).
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
// A systemd host on v1 with cpu and cpuacct co-mounted.
const COMOUNTED = `25 24 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
26 24 0:24 / /sys/fs/cgroup/memory rw,nosuid shared:10 - cgroup cgroup rw,memory`;
// A container seeing only its own subtree of a v2 host.
const CONTAINER_V2 = `1200 1100 0:30 /kubepods/pod1/c1 /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw,nsdelegate`;

describe('cgroup layout', () => {
  it('finds v1 controllers per hierarchy and the cgroup2 mount, skipping named hierarchies', () => {
    const m = parseCgroupMounts(HYBRID);
    expect(m.map((x) => [x.version, x.mountPoint, x.controllers.join(',')])).toEqual([
      [1, '/sys/fs/cgroup/cpu', 'cpu'],
      [1, '/sys/fs/cgroup/cpuacct', 'cpuacct'],
      [1, '/sys/fs/cgroup/memory', 'memory'],
      [1, '/sys/fs/cgroup/pids', 'pids'],
      [1, '/sys/fs/cgroup/systemd', ''],
      [2, '/sys/fs/cgroup/unified', ''],
    ]);
  });

  it('reads co-mounted controllers (and the comma in the mount point)', () => {
    expect(parseCgroupMounts(COMOUNTED)[0]).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/', controllers: ['cpu', 'cpuacct'] });
  });

  it('reads /proc/self/cgroup per controller and the v2 path', () => {
    const own = parseProcCgroup('4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/user.slice/x.scope\n');
    expect(Object.fromEntries(own)).toEqual({ memory: '/process_api/abc', cpu: '/', cpuacct: '/', '': '/user.slice/x.scope' });
  });

  it('maps a hierarchy path to a directory, relative to a mount that shows a subtree', () => {
    const [host] = parseCgroupMounts(HYBRID.split('\n')[3]!);
    expect(cgroupDir(host!, '/process_api/abc/kairos')).toBe('/sys/fs/cgroup/memory/process_api/abc/kairos');
    const [container] = parseCgroupMounts(CONTAINER_V2);
    expect(container!.root).toBe('/kubepods/pod1/c1');
    // Host-absolute path (no cgroup namespace) and namespaced path both land inside the mount.
    expect(cgroupDir(container!, '/kubepods/pod1/c1/kairos')).toBe('/sys/fs/cgroup/kairos');
    expect(cgroupDir(container!, '/kairos')).toBe('/sys/fs/cgroup/kairos');
  });
});
