// Platform duration serving: training on the platform's own task history, the stored artifact, live features.
export * from './serving/platform-duration.training';
