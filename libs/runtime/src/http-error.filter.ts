import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { DomainError, type Logger } from '@kairos/platform';

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
    this.logger.error({ err }, 'unhandled GraphQL resolver error');
    return new GraphQLError('internal error', { extensions: { code: 'INTERNAL', status: 500 } });
  }
}
