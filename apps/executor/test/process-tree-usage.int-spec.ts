import { spawn } from 'node:child_process';
import pidusage from 'pidusage';
import { processTree } from '../src/execution/process-tree';
import { PidusageSampler, readParents } from '../src/execution/resource-sampler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Issue #13: a busy loop under `timeout` read CPU 0 when only the task's top-level process was sampled. */
describe('per-task usage over the whole process tree (Linux /proc)', () => {
  it('counts a busy grandchild under sh -c and timeout; the top-level process alone reads ~0', async () => {
    const child = spawn('sh', ['-c', 'timeout 8 sh -c "while :; do :; done"; true'], { stdio: 'ignore' });
    const sampler = new PidusageSampler();
    try {
      await sleep(300);
      await sampler.sample([child.pid!]);
      await sleep(2_000);
      const tree = (await sampler.sample([child.pid!])).get(child.pid!);
      const rootOnly = await pidusage(child.pid!);
      expect(tree).toBeDefined();
      // The loop gets a share of a core even on a loaded machine; the waiting sh gets none.
      expect(tree!.cpu).toBeGreaterThan(5);
      expect(rootOnly.cpu).toBeLessThan(2);
      expect(tree!.memory).toBeGreaterThan(rootOnly.memory);
    } finally {
      // The whole tree this test started, leaves first, by pid.
      for (const pid of processTree(child.pid!, await readParents()).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      sampler.close();
    }
  }, 20_000);
});
