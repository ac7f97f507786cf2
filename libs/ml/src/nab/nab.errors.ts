export type NabErrorCode =
  | 'CSV_EMPTY'
  | 'CSV_HEADER'
  | 'CSV_ROW'
  | 'FOLDS'
  | 'LABELS_FORMAT'
  | 'LABELS_WINDOW'
  | 'PROFILES_FORMAT'
  | 'SCORES_LENGTH';

/** Bad NAB input (data file, label file, profile file, detector output). `source` names the file. */
export class NabInputError extends Error {
  constructor(
    readonly code: NabErrorCode,
    readonly source: string,
    detail: string,
    readonly line?: number,
  ) {
    super(`${source}${line !== undefined ? `:${line}` : ''}: ${detail}`);
    this.name = 'NabInputError';
  }
}
