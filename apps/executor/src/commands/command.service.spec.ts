import { HandlerError } from '@kairos/bus';
import { testIdentity } from '@kairos/testing';
import { InMemoryQueuePolicyRepository } from '../../test/fakes/in-memory-nodes';
import { InMemoryTaskRepository } from '../../test/fakes/in-memory-task.repository';
import type { WorkflowRunRepository } from '../workflows/workflow-run.repository';
import { CommandService } from './command.service';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const at = '2026-01-01T00:00:00.000Z';

describe('CommandService (what the gateway asks of the executor)', () => {
  const setup = () => {
    const tasks = new InMemoryTaskRepository();
    const policies = new InMemoryQueuePolicyRepository();
    const cancelled: Array<[string, number]> = [];
    const runs = { cancel: async (runId: string, generation: number) => (cancelled.push([runId, generation]), true) } as unknown as WorkflowRunRepository;
    let invalidated = 0;
    const service = new CommandService(tasks, runs, policies, { invalidateNodeState: () => void invalidated++, defaultPolicy: { policy: 'fifo', placement: 'least-loaded' } }, testIdentity('executor'));
    return { tasks, policies, cancelled, service, invalidated: () => invalidated };
  };

  it('marks a queued or running task for cancellation, and a redelivery or an ended task changes nothing', async () => {
    const { tasks, service } = setup();
    tasks.add({ id: id(1) });
    tasks.add({ id: id(2), status: 'succeeded' });
    await service.cancelTask({ taskId: id(1), requestedAt: at });
    await service.cancelTask({ taskId: id(1), requestedAt: at });
    await service.cancelTask({ taskId: id(2), requestedAt: at });
    expect(tasks.tasks.get(id(1))!.cancelRequested).toBe(true);
    expect(tasks.tasks.get(id(2))).toMatchObject({ status: 'succeeded', cancelRequested: false });
    expect(await tasks.applyCancellations()).toEqual([]);
    expect(tasks.status(id(1))).toBe('cancelled');
  });

  it('cancels the workflow generation the requester saw', async () => {
    const { cancelled, service } = setup();
    await service.cancelWorkflow({ workflowRunId: id(9), generation: 2, requestedAt: at });
    expect(cancelled).toEqual([[id(9), 2]]);
  });

  it('switches a queue policy (keeping its throttle) and re-reads policies now; an unknown policy is a non-retryable error', async () => {
    const { policies, service, invalidated } = setup();
    policies.rows = [{ queue: 'q', policy: 'fifo', placement: 'least-loaded', maxConcurrent: 3 }];
    await service.setQueuePolicy({ queue: 'q', policy: 'sjf', placement: 'least-loaded', requestedAt: at });
    expect(policies.rows).toEqual([{ queue: 'q', policy: 'sjf', placement: 'least-loaded', maxConcurrent: 3 }]);
    expect(invalidated()).toBe(1);
    const err = await service.setQueuePolicy({ queue: 'q', policy: 'telepathy', placement: 'least-loaded', requestedAt: at }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandlerError);
    expect((err as HandlerError).retryable).toBe(false);
    expect((err as Error).message).toContain('policy: unknown ordering policy "telepathy"');
  });

  it('sets, keeps and lifts a queue limit; a queue without a row starts from the default policy', async () => {
    const { policies, service } = setup();
    await service.setQueuePolicy({ queue: 'new', maxConcurrent: 2, requestedAt: at });
    expect(policies.rows).toEqual([{ queue: 'new', policy: 'fifo', placement: 'least-loaded', maxConcurrent: 2 }]);
    await service.setQueuePolicy({ queue: 'new', placement: 'best-fit', requestedAt: at });
    expect(policies.rows[0]).toEqual({ queue: 'new', policy: 'fifo', placement: 'best-fit', maxConcurrent: 2 });
    await service.setQueuePolicy({ queue: 'new', maxConcurrent: null, requestedAt: at });
    expect(policies.rows[0].maxConcurrent).toBeNull();
  });
});
