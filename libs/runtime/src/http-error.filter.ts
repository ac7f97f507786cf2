import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, type Logger } from '@kairos/platform';
import { clientDataErrorOf } from './database-error';

/** Maps a domain error to an HTTP status; each app supplies an exhaustive mapping for its codes. */
export type DomainStatusMapper = (err: DomainError) => number | undefined;

/** Every error leaves as one JSON shape: { error: code, message, details }. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly statusOf: DomainStatusMapper,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (err instanceof DomainError) {
      const status = this.statusOf(err);
      if (status !== undefined) {
        res.status(status).json({ error: err.code, message: err.message, details: err.details });
        return;
      }
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const body = err.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const issues = typeof body === 'object' && body !== null && Array.isArray((body as { issues?: unknown }).issues) ? { issues: (body as { issues: unknown[] }).issues } : {};
      res.status(status).json({ error: status === 400 ? 'VALIDATION_FAILED' : status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', message: String(message ?? err.message), details: issues });
      return;
    }
    const dataError = clientDataErrorOf(err);
    if (dataError) {
      // The client's data, not a server fault: a 4xx without the SQL or its parameters.
      this.logger.warn({ sqlState: dataError.sqlState, status: dataError.status }, 'request rejected by the database');
      res.status(dataError.status).json({ error: dataError.code, message: dataError.message, details: { sqlState: dataError.sqlState } });
      return;
    }
    // Body-parser failures that reach here (a route parsed outside the security middleware): the client's.
    const parser = bodyParserErrorOf(err);
    if (parser) {
      res.status(parser.status).json({ error: parser.code, message: parser.message, details: {} });
      return;
    }
    this.logger.error({ err }, 'unhandled request error');
    res.status(500).json({ error: 'INTERNAL', message: 'internal error', details: {} });
  }
}

/** express/body-parser errors carry `type` ('entity.too.large'…) and a 4xx `status`; they are the client's. */
function bodyParserErrorOf(err: unknown): { status: number; code: string; message: string } | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { type?: unknown; status?: unknown; message?: unknown };
  if (typeof e.status !== 'number' || e.status < 400 || e.status > 499) return null;
  const code = e.status === 413 ? 'PAYLOAD_TOO_LARGE' : e.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'MALFORMED_BODY';
  return { status: e.status === 413 || e.status === 415 ? e.status : 400, code, message: `unreadable request body: ${String(e.message ?? e.type ?? '').slice(0, 300)}` };
}
