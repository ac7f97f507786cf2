export * from './api.schemas';
export * from './client.errors';
export * from './kairos.client';
export * from './page';
export * from './retry.policy';
