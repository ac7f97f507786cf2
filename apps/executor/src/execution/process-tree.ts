/**
 * Pure helpers for per-task usage over a whole process tree: a task's shell often runs the real work
 * in children (`timeout 60 python train.py`), so the top-level process alone reads near 0 % CPU.
 */

/** The root and every descendant of it, given each live pid's parent (cycles and unknown pids tolerated). */
export function processTree(root: number, parentOf: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const seen = new Set<number>();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

/** The parent pid from the text of /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parentFromStat(stat: string): number | null {
  const end = stat.lastIndexOf(')');
  if (end < 0) return null;
  const fields = stat.slice(end + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

export interface Usage {
  cpu: number;
  memory: number;
}

/** Sums each tree's members' usage; a root none of whose members could be sampled is absent. */
export function sumTrees(trees: ReadonlyMap<number, readonly number[]>, stats: ReadonlyMap<number, Usage>): Map<number, Usage> {
  const out = new Map<number, Usage>();
  for (const [root, pids] of trees) {
    let any = false;
    const sum = { cpu: 0, memory: 0 };
    for (const pid of pids) {
      const s = stats.get(pid);
      if (!s) continue;
      any = true;
      sum.cpu += s.cpu;
      sum.memory += s.memory;
    }
    if (any) out.set(root, sum);
  }
  return out;
}
