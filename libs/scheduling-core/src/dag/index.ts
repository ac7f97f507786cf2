// DAG layer of @kairos/scheduling-core: graph model, analysis, run state machine, WfFormat adapter and
// DAG list schedulers (HEFT, PEFT, portfolio).
export * from './dag.errors';
export * from './dag.model';
export * from './dag.analysis';
export * from './dag-run.state';
export * from './dag-schedule.model';
export * from './heft.scheduler';
export * from './dag-portfolio.scheduler';
export * from './wfformat.adapter';
