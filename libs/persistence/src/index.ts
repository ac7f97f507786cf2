export * from './database';
export * from './embedded-vacuum';
export * from './storage-failure';
export * from './outbox';
export * from './migrations/index';
export * from './workflow-task.writer';
export * from './task-archive.codec';
export * from './decision-records.writer';
