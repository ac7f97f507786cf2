import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Stable process identity without configuration: the first identity slot on this host whose holder is
 * gone. A restarted process finds its previous slot free (the old pid is dead) and takes the same id,
 * so an executor keeps its node names and lease owner across restarts; two live processes of one
 * service on one host get different slots. Pure: the caller reads and claims the lock files.
 */
export function firstFreeSlot(holders: ReadonlyMap<number, number | null>, isAlive: (pid: number) => boolean, myPid: number, maxSlots = 1000): number | null {
  for (let slot = 0; slot < maxSlots; slot++) {
    const pid = holders.get(slot);
    if (pid === undefined || pid === null || pid === myPid || !isAlive(pid)) return slot;
  }
  return null;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Claims `<dir>/<service>-<slot>.pid` (exclusive create; a stale file of a dead pid is replaced) and
 * returns the slot; null when the directory is not writable (the caller falls back to a random id).
 */
export function claimIdentitySlot(dir: string, service: string, pid: number = process.pid): number | null {
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    return null;
  }
  const file = (slot: number) => join(dir, `${service}-${slot}.pid`);
  const readPid = (slot: number): number | null | undefined => {
    try {
      const n = Number(readFileSync(file(slot), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : null;
    } catch {
      return undefined;
    }
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    const holders = new Map<number, number | null>();
    for (let slot = 0; slot < 1000; slot++) {
      const p = readPid(slot);
      if (p === undefined) break;
      holders.set(slot, p);
    }
    const slot = firstFreeSlot(holders, isAlive, pid);
    if (slot === null) return null;
    try {
      if (holders.has(slot)) unlinkSync(file(slot));
    } catch {
      /* another process replaced it first: look again */
    }
    try {
      const fd = openSync(file(slot), 'wx', 0o644);
      writeSync(fd, String(pid));
      closeSync(fd);
      return slot;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return null;
      // Lost a race for this slot: look again.
    }
  }
  return null;
}
