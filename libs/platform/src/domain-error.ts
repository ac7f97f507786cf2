/**
 * Base of every domain error: a stable `code` the app's exception filter maps to a status, and
 * optional details (e.g. the offending field). Subclasses narrow `code` to their own union.
 */
export abstract class DomainError<C extends string = string> extends Error {
  abstract readonly code: C;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
