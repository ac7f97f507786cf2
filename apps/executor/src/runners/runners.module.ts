import { Module } from '@nestjs/common';
import type { RunSpec } from '@kairos/contracts';
import { TASK_SECRETS, taskSecretsProvider, type TaskSecrets } from '@kairos/runtime';
import { HttpRunner } from './http.runner';
import { NoopRunner } from './noop.runner';
import { RUNNERS, type TaskRunner } from './runner.port';
import { ShellRunner } from './shell.runner';

/**
 * A runner that first opens the spec's sealed secrets (AES-GCM, the key from config): the only place
 * plaintext secrets exist is the runner call. A secret that does not open (unknown key id, tampered)
 * fails the attempt with an error naming the field, never its value.
 */
export function openingSecrets(inner: TaskRunner, secrets: Pick<TaskSecrets, 'open'>): TaskRunner {
  return { kind: inner.kind, run: (spec, ctx) => inner.run(secrets.open(spec) as never, ctx) };
}

/** The runners, one provider each, and RUNNERS: kind → runner (secrets opened first), which the executor service takes. */
@Module({
  providers: [
    ShellRunner,
    HttpRunner,
    NoopRunner,
    taskSecretsProvider,
    {
      provide: RUNNERS,
      useFactory: (shell: ShellRunner, http: HttpRunner, noop: NoopRunner, secrets: TaskSecrets): ReadonlyMap<RunSpec['kind'], TaskRunner> =>
        new Map<RunSpec['kind'], TaskRunner>([
          ['shell', openingSecrets(shell as TaskRunner, secrets)],
          ['http', openingSecrets(http as TaskRunner, secrets)],
          ['noop', noop as TaskRunner],
        ]),
      inject: [ShellRunner, HttpRunner, NoopRunner, TASK_SECRETS],
    },
  ],
  exports: [RUNNERS],
})
export class RunnersModule {}
