// Typed errors for the scheduling core: callers switch on `code`, never on message text.
export type SchedulingErrorCode =
  | 'INVALID_TASK'
  | 'INVALID_NODE'
  | 'UNKNOWN_NODE'
  | 'UNKNOWN_TASK'
  | 'UNKNOWN_POLICY'
  | 'UNKNOWN_PLACEMENT'
  | 'INVALID_ARGUMENT'
  | 'INVALID_RETRY_POLICY'
  | 'INFEASIBLE'
  | 'SOLVER_FAILED'
  | 'TRACE_PARSE'
  | 'TRACE_IO'
  | 'INVALID_WEIGHTS';

export class SchedulingError extends Error {
  constructor(
    readonly code: SchedulingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SchedulingError';
  }
}

/** A bad trace file: names the file, the 1-based line, the reason and (where one is to blame) the field. */
export class TraceParseError extends SchedulingError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly field?: string,
  ) {
    super('TRACE_PARSE', `${file}:${line}: ${reason}`);
    this.name = 'TraceParseError';
  }
}

/** A learned policy's weights file that does not validate: every issue as `path: message`. */
export class PolicyWeightsError extends SchedulingError {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super('INVALID_WEIGHTS', `${source}: invalid policy weights: ${issues.join('; ')}`);
    this.name = 'PolicyWeightsError';
  }
}
