import type { Logger } from '@kairos/platform';

/** The validated KairosConfig of this process. */
export const CONFIG = Symbol('CONFIG');
/** This OS process: its service name and instance id (ProcessIdentity). */
export const PROCESS_IDENTITY = Symbol('PROCESS_IDENTITY');
/** One app inside the process (AppIdentity): in standalone mode four apps share one process. */
export const APP_IDENTITY = Symbol('APP_IDENTITY');
/** The Nest ClientProxy over the bus (KairosBusClient): `emit(topic, envelope)`. */
export const BUS_CLIENT = Symbol('BUS_CLIENT');
/** The outbox producer name of an app ('gateway', 'executor', 'analyzer'). */
export const OUTBOX_PRODUCER = Symbol('OUTBOX_PRODUCER');

export interface ProcessIdentity {
  /** 'gateway' | 'collector' | 'analyzer' | 'executor' | 'standalone'. */
  service: string;
  instanceId: string;
}

export interface AppIdentity {
  app: string;
  /** Lease owner, tick claimant, audit author: unique per app instance. */
  instanceId: string;
  logger: Logger;
}

/** This process's Prometheus metrics (KairosMetrics): one registry shared by every app in the process. */
export const KAIROS_METRICS = Symbol('KAIROS_METRICS');
