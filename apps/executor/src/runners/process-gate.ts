import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * The wrapper a caged task is spawned through: /bin/sh reads one line from fd 3, closes it and execs
 * the task (same pid, same process group, same start time: the reaper's identity still holds).
 * Race-free: the runner moves the waiting shell into the attempt's cgroup before it writes the line,
 * so the task's first instruction, and every child it forks, runs inside the group. EOF on fd 3
 * (the runner could not place it, or died) ends the wrapper with 125 before the task runs.
 *
 * Alternatives rejected: writing the pid after a plain spawn races the child's first forks (children
 * forked before the move stay outside); `echo $$ > cgroup.procs` inside the wrapper needs the task's
 * user to own the group (breaks TASK_RUN_AS); clone3(CLONE_INTO_CGROUP) is v2-only and not exposed
 * by Node.
 */
export const GATE_SCRIPT = 'read -r kairos_gate <&3 || exit 125; exec 3<&-; exec "$@"';
/** What the runner writes to fd 3 once the process is in its group. */
export const GATE_OPEN = 'go\n';

/**
 * Would exec(3p) find `program`? Through a wrapper a missing program shows up as exit 127 from the
 * shell, so the runner checks first and reports it as a plain spawn does (ENOENT naming the program).
 */
export function findProgram(program: string, pathEnv: string | undefined, cwd: string | undefined): string | null {
  const base = cwd ?? process.cwd();
  const candidates = program.includes('/') ? [isAbsolute(program) ? program : resolve(base, program)] : (pathEnv ?? '').split(delimiter).filter(Boolean).map((d) => join(isAbsolute(d) ? d : resolve(base, d), program));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return null;
}
