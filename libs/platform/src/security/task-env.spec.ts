import { DEFAULT_TASK_ENV_ALLOW, taskBaseEnv } from './task-env';

describe('taskBaseEnv', () => {
  it('keeps only allow-listed names that are set', () => {
    const server = { PATH: '/usr/bin', HOME: '/root', DATABASE_URL: 'postgres://u:pw@db/x', KAIROS_SECRET_KEY: 'k', LANG: 'C.UTF-8' };
    expect(taskBaseEnv(DEFAULT_TASK_ENV_ALLOW, server)).toEqual({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8' });
    expect(taskBaseEnv(['DATABASE_URL'], server)).toEqual({ DATABASE_URL: 'postgres://u:pw@db/x' });
    expect(taskBaseEnv([], server)).toEqual({});
  });
});
