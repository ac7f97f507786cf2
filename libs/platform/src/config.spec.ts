import { loadConfig, ConfigError } from './config';

describe('loadConfig', () => {
  it('applies defaults', () => {
    expect(loadConfig({})).toMatchObject({ PORT: 3000, DATA_DIR: './data', EXECUTOR_SLOTS: 8 });
  });
  it.each([
    [{ PORT: 'abc' }, 'PORT="abc"'],
    [{ KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS="localhost": must be host:port'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ EXECUTOR_NODES: 'n1:100' }, 'EXECUTOR_NODES'],
    [{ KAFKA_SESSION_TIMEOUT_MS: '500' }, 'KAFKA_SESSION_TIMEOUT_MS="500"'],
    [{ KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_MS: '6000' }, 'KAFKA_HEARTBEAT_MS="6000": must be below KAFKA_SESSION_TIMEOUT_MS (6000)'],
  ])('rejects %j naming the variable', (env, msg) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(msg);
  });
});
