import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimIdentitySlot, firstFreeSlot } from './identity-slot';

describe('firstFreeSlot', () => {
  const alive = (pids: number[]) => (pid: number) => pids.includes(pid);
  it('takes the first slot without a live holder (a restarted process gets its old slot back)', () => {
    expect(firstFreeSlot(new Map(), alive([]), 10)).toBe(0);
    expect(firstFreeSlot(new Map([[0, 5]]), alive([5]), 10)).toBe(1);
    expect(firstFreeSlot(new Map([[0, 5], [1, 6]]), alive([6]), 10)).toBe(0);
    expect(firstFreeSlot(new Map([[0, 10]]), alive([10]), 10)).toBe(0);
    expect(firstFreeSlot(new Map([[0, null]]), alive([]), 10)).toBe(0);
    expect(firstFreeSlot(new Map([[0, 5]]), alive([5]), 10, 1)).toBeNull();
  });
});

describe('claimIdentitySlot', () => {
  it('gives live processes different slots and a dead holder’s slot to the next process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-id-'));
    expect(claimIdentitySlot(dir, 'executor', process.pid)).toBe(0);
    // process.ppid is alive: it holds slot 1.
    expect(claimIdentitySlot(dir, 'executor', process.ppid)).toBe(1);
    expect(claimIdentitySlot(dir, 'analyzer', process.ppid)).toBe(0);
    // A holder that died (no such pid) frees its slot.
    writeFileSync(join(dir, 'executor-1.pid'), '2147483646');
    expect(claimIdentitySlot(dir, 'executor', process.ppid)).toBe(1);
    expect(readFileSync(join(dir, 'executor-1.pid'), 'utf8')).toBe(String(process.ppid));
  });
  it('null when the directory cannot be made (here: a path below a regular file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-id-'));
    writeFileSync(join(dir, 'file'), '');
    expect(claimIdentitySlot(join(dir, 'file', 'identity'), 'executor')).toBeNull();
  });
});
