import { gzipSync } from 'node:zlib';
import { decodeTaskArchive, encodeTaskArchive, TaskArchiveFormatError, type TaskArchiveRecord } from './task-archive.codec';

describe('task archive codec', () => {
  const rec: TaskArchiveRecord = {
    format: 1,
    kind: 'task',
    row: { id: 't1', status: 'succeeded', output_tail: 'x'.repeat(4_000), finished_at: '2026-10-01T00:00:00+00:00', labels: { a: 'ü' } },
    attempts: [{ task_id: 't1', attempt: 1, status: 'succeeded' }],
    events: [{ id: 7, topic: 'task.completed.v1', envelope: { payload: { taskId: 't1' } } }],
  };

  it('round-trips a record through gzip, smaller than its JSON when the JSON repeats itself', () => {
    const blob = encodeTaskArchive(rec);
    expect(blob.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip magic
    expect(blob.length).toBeLessThan(JSON.stringify(rec).length / 10);
    expect(decodeTaskArchive(blob)).toEqual(rec);
    expect(decodeTaskArchive(new Uint8Array(blob))).toEqual(rec);
  });

  it.each([
    ['not gzip', Buffer.from('{"format":1}'), /not gzip-compressed JSON/],
    ['gzip of something else', gzipSync(Buffer.from('[1,2]')), /not a format-1/],
    ['a later format', gzipSync(Buffer.from(JSON.stringify({ ...rec, format: 2 }))), /not a format-1/],
    ['an unknown kind', gzipSync(Buffer.from(JSON.stringify({ ...rec, kind: 'node' }))), /not a format-1/],
    ['attempts missing', gzipSync(Buffer.from(JSON.stringify({ format: 1, kind: 'task', row: {}, events: [] }))), /not a format-1/],
  ])('refuses %s with a typed error', (_what, blob, msg) => {
    expect(() => decodeTaskArchive(blob)).toThrow(TaskArchiveFormatError);
    expect(() => decodeTaskArchive(blob)).toThrow(msg);
  });
});
