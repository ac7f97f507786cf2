import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { DomainError, type Logger } from '@kairos/platform';
import { classifyStorageFailure } from '@kairos/persistence';

/** Maps a domain error to an HTTP status; each app supplies an exhaustive mapping for its codes. */
export type DomainStatusMapper = (err: DomainError) => number | undefined;

/**
 * Every error leaves as one JSON shape: { error: code, message, details }. In a GraphQL resolver the
 * same code, status and details go in the error's `extensions` (`code` is the stable code).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly statusOf: DomainStatusMapper,
  ) {}

  catch(err: unknown, host: ArgumentsHost): GraphQLError | void {
    if (host.getType<string>() === 'graphql') return this.toGraphQL(err);
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
      res.status(status).json({ error: status === 400 ? 'VALIDATION_FAILED' : status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', message: String(message ?? err.message), details: {} });
      return;
    }
    // Disk full, database unreachable: the request may succeed later, so 503 with Retry-After and a
    // stable code (never the statement or its parameters).
    const storage = this.storageAnswer(err);
    if (storage) {
      res.setHeader('Retry-After', String(storage.details.retryAfterSeconds));
      res.status(503).json({ error: storage.code, message: storage.message, details: storage.details });
      return;
    }
    this.logger.error({ err }, 'unhandled request error');
    res.status(500).json({ error: 'INTERNAL', message: 'internal error', details: {} });
  }

  private toGraphQL(err: unknown): GraphQLError {
    if (err instanceof GraphQLError) return err;
    if (err instanceof DomainError) {
      const status = this.statusOf(err);
      if (status !== undefined) return new GraphQLError(err.message, { extensions: { code: err.code, status, details: err.details } });
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      return new GraphQLError(err.message, { extensions: { code: status === 400 ? 'VALIDATION_FAILED' : status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', status } });
    }
    const storage = this.storageAnswer(err);
    if (storage) return new GraphQLError(storage.message, { extensions: { code: storage.code, status: 503, details: storage.details } });
    this.logger.error({ err }, 'unhandled GraphQL resolver error');
    return new GraphQLError('internal error', { extensions: { code: 'INTERNAL', status: 500 } });
  }

  /** Disk full or database unreachable (classifyStorageFailure): the answer, logged by code only. */
  private storageAnswer(err: unknown): { code: string; message: string; details: { cause: string; retryAfterSeconds: number } } | null {
    const f = classifyStorageFailure(err);
    if (!f) return null;
    this.logger.warn({ code: f.code, cause: f.cause }, 'request failed: storage unavailable');
    const message = f.code === 'STORAGE_FULL' ? 'the database is out of disk space; retry later' : 'the database is unreachable; retry later';
    return { code: f.code, message, details: { cause: f.cause, retryAfterSeconds: f.retryAfterSeconds } };
  }
}
