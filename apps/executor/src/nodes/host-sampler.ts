import { Worker } from 'node:worker_threads';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { resolveWorkerScript } from '@kairos/platform';
import type { HostSnapshot } from './host-metrics';
import type { SamplerReply, SamplerRequest } from './host-sampler.worker';

export const HOST_SAMPLER = Symbol('HOST_SAMPLER');

/** The host this executor runs on: CPU, memory, file systems and network interfaces. */
export interface HostSampler {
  snapshot(): Promise<HostSnapshot>;
  /** Interfaces and their reported speed (Mbit/s; null when unknown, e.g. loopback). */
  interfaces(): Promise<Array<{ iface: string; speedMbps: number | null }>>;
}

/**
 * systeminformation (Linux: /proc and /sys), run in a worker thread (`host-sampler.worker.ts`) because it
 * blocks the thread it runs on. Network rates are per second since the previous call. A thread that dies is
 * started again at the next sample; the sample it was answering fails (the node agent logs it and goes on).
 */
@Injectable()
export class SystemInformationHostSampler implements HostSampler, OnModuleDestroy {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  snapshot(): Promise<HostSnapshot> {
    return this.ask('snapshot') as Promise<HostSnapshot>;
  }

  interfaces(): Promise<Array<{ iface: string; speedMbps: number | null }>> {
    return this.ask('interfaces') as Promise<Array<{ iface: string; speedMbps: number | null }>>;
  }

  async onModuleDestroy(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const { file, execArgv } = resolveWorkerScript(__dirname, 'host-sampler.worker');
    const worker = new Worker(file, execArgv ? { execArgv } : {});
    // Sampling never keeps the process alive on its own.
    worker.unref();
    worker.on('message', (reply: SamplerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(`host sample failed: ${reply.message}`));
    });
    const gone = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`host sampler thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private ask(op: SamplerRequest['op']): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread().postMessage({ id, op } satisfies SamplerRequest);
    });
  }
}
