// DAG layer of @kairos/scheduling-core: graph model, analysis, run state machine, WfFormat adapter and
// DAG list schedulers (HEFT, PEFT, portfolio).
export * from './dag.errors';
export * from './dag.model';
export * from './dag.analysis';
export * from './dag-run.state';
export * from './dag-schedule.model';
export * from './dag-list-schedule.state';
export * from './dag-lower-bound.analysis';
export * from './heft.scheduler';
export * from './dag-portfolio.scheduler';
export * from './dag-rollout.scheduler';
export * from './wfformat.adapter';
