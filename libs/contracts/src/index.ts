export * from './task.schema';
export * from './events.schema';
export * from './topics';
export * from './envelope';
export * from './repair.schema';
export * from './workflow.schema';
export * from './commands.schema';
