// Typed failures of the schedules core. Callers switch on `code`; the message is for humans.
export type ScheduleErrorCode = 'invalid_schedule' | 'invalid_window' | 'invalid_option' | 'unknown_schedule';

export class ScheduleError extends Error {
  constructor(
    readonly code: ScheduleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScheduleError';
  }
}
