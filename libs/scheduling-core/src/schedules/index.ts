// Schedules: cron and interval triggers planned into ticks, misfire / concurrency / circuit-breaker
// rules as pure reducers, shard fan-out, the tick history model, and the planner loop (TickWheel)
// with its ports. The executor binds the ports in the follow-up (docs/architecture.md, Schedules).
export * from './schedule.errors';
export * from './schedule-trigger';
export * from './schedule.model';
export * from './tick-key';
export * from './tick.model';
export * from './tick-planner';
export * from './circuit-breaker.state';
export * from './concurrency.policy';
export * from './tick-decision.policy';
export * from './tick-submission';
export * from './timer.port';
export * from './manual-timer';
export * from './tick-wheel';
export * from './tick-planner.loop';
export * from './schedule-runtime';
export * from './schedule-store.port';
