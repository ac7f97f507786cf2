// Typed failures of the DAG layer. Callers switch on `code`; the message is for humans.
export type DagErrorCode =
  | 'duplicate_task'
  | 'unknown_dependency'
  | 'self_dependency'
  | 'invalid_duration'
  | 'cycle'
  | 'unknown_task'
  | 'invalid_transition'
  | 'invalid_cluster'
  | 'invalid_option';

export class DagError extends Error {
  constructor(
    readonly code: DagErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DagError';
  }
}

/** Raised when the graph has a cycle; `cycle` lists the node ids in edge order, first id repeated last. */
export class DagCycleError extends DagError {
  constructor(readonly cycle: readonly string[]) {
    super('cycle', `dependency cycle: ${cycle.join(' -> ')}`);
    this.name = 'DagCycleError';
  }
}

export type WfFormatErrorCode = 'invalid_json' | 'missing_field' | 'invalid_field' | 'unknown_parent' | 'duplicate_task' | 'cycle';

/** A malformed WfFormat document; names the source file and the JSON path of the offending field. */
export class WfFormatError extends Error {
  constructor(
    readonly code: WfFormatErrorCode,
    readonly source: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${source}: ${field}: ${problem}`);
    this.name = 'WfFormatError';
  }
}
