import { ClusterState } from '../model/cluster-state';
import { seededRng } from '../model/clock';
import { GpuDevicePool } from '../model/gpu-devices';
import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import { BestFitPlacement } from '../placement/packing.placement';
import { createPlacement, PLACEMENT_NAMES } from '../placement/placement.registry';
import { ObservedPolicy } from '../policies/observed.policy';
import { createPolicy, POLICY_NAMES } from '../policies/policy.registry';
import { DEFAULT_RETRY_POLICY } from '../retry/retry-policy';
import { simulate } from './simulator';

// Node 0 has no GPU (and more CPU than anything needs); node 1 has two GPUs (devices 0, 1).
const CPU_NODE = { id: 'cpu', capacity: resources({ cpuMillis: 64_000, memMb: 262_144 }) };
const GPU_NODE = { id: 'gpu', capacity: resources({ cpuMillis: 8_000, memMb: 65_536, gpu: 2 }) };

describe.each(PLACEMENT_NAMES)('placement %s honours GPU requests', (name) => {
  it('never picks a node without a free GPU for a GPU task', () => {
    const cluster = new ClusterState([CPU_NODE, GPU_NODE]);
    const p = createPlacement(name);
    const t = makeTask({ id: 'g', request: { cpuMillis: 1000, memMb: 1024, gpu: 1 } });
    expect(p.choose(t, cluster)).toBe(1);
    cluster.allocate(1, resources({ gpu: 2 }));
    expect(p.choose(t, cluster)).toBe(-1);
  });
});

describe.each(POLICY_NAMES)('policy %s in the simulator with GPU nodes', (name) => {
  it('a GPU task waits for a node with a free GPU and gets its devices', () => {
    // Two 1-GPU trainers hold both devices until t = 100; a 1-GPU task arriving at t = 1 must wait
    // for one of them although the CPU-only node is idle; the CPU tasks never touch a GPU device.
    const tasks = [
      makeTask({ id: 'train-a', request: { cpuMillis: 2000, memMb: 4096, gpu: 1 }, actual: 100, predicted: 100, arrival: 0 }),
      makeTask({ id: 'train-b', request: { cpuMillis: 2000, memMb: 4096, gpu: 1 }, actual: 150, predicted: 150, arrival: 0 }),
      makeTask({ id: 'infer', request: { cpuMillis: 1000, memMb: 2048, gpu: 1 }, actual: 10, predicted: 10, arrival: 1 }),
      ...Array.from({ length: 4 }, (_, i) => makeTask({ id: `cpu-${i}`, request: { cpuMillis: 1000, memMb: 1024 }, actual: 5, predicted: 5, arrival: 1 })),
    ];
    const pool = new GpuDevicePool([[], [0, 1]]);
    const starts: Array<{ task: string; node: number; at: number; devices: readonly number[] }> = [];
    const leases = new Map<string, string[]>();
    let seq = 0;
    const observed = new ObservedPolicy(createPolicy(name, { placement: new BestFitPlacement(), rng: seededRng(1), nodeCapacity: GPU_NODE.capacity }), {
      onStart: (task, node, at) => {
        const lease = `${task.id}#${seq++}`;
        const devices = pool.node(node).allocate(lease, task.request.gpu);
        if (!devices) throw new Error(`no free device for ${task.id} on node ${node}: ClusterState and the device pool disagree`);
        leases.set(`${task.id}@${node}`, [...(leases.get(`${task.id}@${node}`) ?? []), lease]);
        starts.push({ task: task.id, node, at, devices });
      },
      onEnd: (task, node) => {
        const [lease, ...rest] = leases.get(`${task.id}@${node}`) ?? [];
        if (lease) pool.node(node).release(lease);
        leases.set(`${task.id}@${node}`, rest);
      },
    });
    const out = simulate(tasks, observed, { nodes: [CPU_NODE, GPU_NODE], failureProbability: 0, retry: DEFAULT_RETRY_POLICY, seed: 1, noiseSigma: 0 });
    expect(out.metrics.successRate).toBe(1);
    const s = (id: string) => starts.find((x) => x.task === id)!;
    expect(s('train-a')).toMatchObject({ node: 1, at: 0 });
    expect(s('train-b')).toMatchObject({ node: 1, at: 0 });
    expect([...s('train-a').devices, ...s('train-b').devices].sort()).toEqual([0, 1]);
    // The inference task starts when train-a ends and gets the device train-a held.
    expect(s('infer')).toMatchObject({ node: 1, at: 100, devices: s('train-a').devices });
    for (let i = 0; i < 4; i++) expect(s(`cpu-${i}`).devices).toEqual([]);
  });
});
