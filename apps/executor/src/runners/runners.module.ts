import { Module } from '@nestjs/common';
import type { RunSpec } from '@kairos/contracts';
import { HttpRunner } from './http.runner';
import { NoopRunner } from './noop.runner';
import { RUNNERS, type TaskRunner } from './runner.port';
import { ShellRunner } from './shell.runner';

/** The runners, one provider each, and RUNNERS: kind → runner, which the executor service takes. */
@Module({
  providers: [
    ShellRunner,
    HttpRunner,
    NoopRunner,
    {
      provide: RUNNERS,
      useFactory: (shell: ShellRunner, http: HttpRunner, noop: NoopRunner): ReadonlyMap<RunSpec['kind'], TaskRunner> =>
        new Map<RunSpec['kind'], TaskRunner>([
          ['shell', shell as TaskRunner],
          ['http', http as TaskRunner],
          ['noop', noop as TaskRunner],
        ]),
      inject: [ShellRunner, HttpRunner, NoopRunner],
    },
  ],
  exports: [RUNNERS],
})
export class RunnersModule {}
