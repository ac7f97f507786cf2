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
    [{ KAIROS_SECRET_KEY: Buffer.alloc(16).toString('base64') }, 'KAIROS_SECRET_KEY=(value hidden): must be base64 of 32 random bytes'],
    [{ KAIROS_SECRET_KEY_PREVIOUS: `${Buffer.alloc(32).toString('base64')},nope` }, 'KAIROS_SECRET_KEY_PREVIOUS=(value hidden): must be base64 of 32 random bytes (generate one with `openssl rand -base64 32`) (entry 2)'],
    [{ KAIROS_ADMIN_KEY: 'admin' }, 'KAIROS_ADMIN_KEY=(value hidden): must be kairos_<16 hex>_<43 base64url characters>'],
    [{ DATABASE_URL: 'mysql://u:pw@x' }, 'DATABASE_URL=(value hidden)'],
    [{ TASK_ENV_ALLOW: 'PATH,BAD-NAME' }, 'TASK_ENV_ALLOW="PATH,BAD-NAME": "BAD-NAME" is not an environment variable name'],
    [{ TASK_RUN_AS: '1000' }, 'TASK_RUN_AS="1000": must be uid:gid (numbers)'],
    [{ TASK_RUN_AS: '0:0' }, 'TASK_RUN_AS="0:0": must not be root (0)'],
    [{ SECRET_ENV_PATTERNS: 'TOKEN,A*B' }, 'SECRET_ENV_PATTERNS="TOKEN,A*B": "A*B" is not letters, digits and _'],
    [{ SECRET_HEADERS: 'authorization,bad header' }, '"bad header" is not an HTTP header name'],
    [{ ALLOWED_HOSTS: 'kairos.example.com,http://x' }, 'ALLOWED_HOSTS="kairos.example.com,http://x": "http://x" is not a host name or host:port'],
    [{ ALLOWED_ORIGINS: 'https://ops.example.com/' }, '"https://ops.example.com/" is not an origin like https://ops.example.com (no path)'],
    [{ HTTP_BODY_LIMIT_BYTES: '10' }, 'HTTP_BODY_LIMIT_BYTES="10"'],
    [{ RATE_LIMIT_PER_SEC: '-1' }, 'RATE_LIMIT_PER_SEC="-1"'],
    [{ RATE_LIMIT_BURST: '0' }, 'RATE_LIMIT_BURST="0"'],
    [{ EXECUTOR_NODES: 'a:1000:512:x' }, 'EXECUTOR_NODES="a:1000:512:x": must be name:cpuMillis:memMb[:gpus[:model]]'],
    [{ TASK_MEM_HEADROOM_PCT: '-5' }, 'TASK_MEM_HEADROOM_PCT="-5"'],
    [{ SCHEDULE_LEASE_MS: '500' }, 'SCHEDULE_LEASE_MS="500"'],
    [{ SCHEDULE_PARTITIONS: '0' }, 'SCHEDULE_PARTITIONS="0"'],
    [{ TASK_MEM_HEADROOM_PCT: '12.5' }, 'TASK_MEM_HEADROOM_PCT="12.5"'],
    [{ TASK_LIMITS: 'strict' }, 'TASK_LIMITS="strict"'],
    [{ TASK_PIDS_MAX: '4' }, 'TASK_PIDS_MAX="4"'],
    [{ TASK_CGROUP_PARENT: 'kairos' }, 'TASK_CGROUP_PARENT="kairos": must be an absolute cgroup path'],
    [{ TASK_CGROUP_PARENT: '/a/../b' }, 'TASK_CGROUP_PARENT="/a/../b": must not contain . or .. segments'],
    [{ RETENTION_TASKS_DAYS: '-1' }, 'RETENTION_TASKS_DAYS="-1"'],
    [{ RETENTION_OUTPUTS_DAYS: '1.5' }, 'RETENTION_OUTPUTS_DAYS="1.5"'],
    [{ RETENTION_EVENTS_DAYS: 'week' }, 'RETENTION_EVENTS_DAYS="week"'],
    [{ RETENTION_MODE: 'compress' }, 'RETENTION_MODE="compress"'],
    [{ RETENTION_BATCH_SIZE: '0' }, 'RETENTION_BATCH_SIZE="0"'],
    [{ RETENTION_PAUSE_MS: '-10' }, 'RETENTION_PAUSE_MS="-10"'],
    [{ RETENTION_INTERVAL_MS: '10' }, 'RETENTION_INTERVAL_MS="10"'],
  ])('rejects %j naming the variable', (env, msg) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(msg);
  });

  it('never echoes a secret variable\'s value', () => {
    const key = 'kairos_0123456789abcdef_tooShortToBeValid';
    expect(() => loadConfig({ KAIROS_ADMIN_KEY: key })).toThrow(ConfigError);
    try {
      loadConfig({ KAIROS_ADMIN_KEY: key, KAIROS_SECRET_KEY: 'c2hvcnQ=' });
    } catch (e) {
      expect((e as Error).message).not.toContain(key);
      expect((e as Error).message).not.toContain('c2hvcnQ=');
    }
  });

  it('parses the security settings', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    const admin = `kairos_0123456789abcdef_${'A'.repeat(43)}`;
    expect(
      loadConfig({
        KAIROS_SECRET_KEY: key,
        KAIROS_SECRET_KEY_PREVIOUS: ` ${key} , ${Buffer.alloc(32, 1).toString('base64url')}`,
        KAIROS_ADMIN_KEY: admin,
        TASK_ENV_ALLOW: 'PATH, HOME,JAVA_HOME',
        TASK_RUN_AS: '1000:1000',
        ALLOWED_HOSTS: 'kairos.example.com,10.0.0.5:3000,[fd00::1]:8443',
        ALLOWED_ORIGINS: 'https://ops.example.com,http://localhost:5173',
        RATE_LIMIT_PER_SEC: '0.5',
      }),
    ).toMatchObject({
      KAIROS_SECRET_KEY: key,
      KAIROS_SECRET_KEY_PREVIOUS: [key, Buffer.alloc(32, 1).toString('base64url')],
      KAIROS_ADMIN_KEY: admin,
      TASK_ENV_ALLOW: ['PATH', 'HOME', 'JAVA_HOME'],
      TASK_RUN_AS: { uid: 1000, gid: 1000 },
      ALLOWED_HOSTS: ['kairos.example.com', '10.0.0.5:3000', '[fd00::1]:8443'],
      ALLOWED_ORIGINS: ['https://ops.example.com', 'http://localhost:5173'],
      RATE_LIMIT_PER_SEC: 0.5,
    });
  });

  it('parses resource-limit settings and GPU node lists', () => {
    expect(loadConfig({ TASK_MEM_HEADROOM_PCT: '10', TASK_LIMITS: 'cgroup', TASK_PIDS_MAX: '256', TASK_CGROUP_PARENT: '/kairos.slice/tasks', EXECUTOR_NODES: 'a:1000:512,g:8000:65536:0-1:A100-80GB,h:1000:512:4' })).toMatchObject({
      TASK_MEM_HEADROOM_PCT: 10,
      TASK_LIMITS: 'cgroup',
      TASK_PIDS_MAX: 256,
      TASK_CGROUP_PARENT: '/kairos.slice/tasks',
    });
    expect(loadConfig({})).toMatchObject({ TASK_LIMITS: 'auto', TASK_MEM_HEADROOM_PCT: 25, TASK_PIDS_MAX: 4096 });
  });

  it('retention: everything kept by default (0 = forever), archive mode, 500-row batches; values parsed', () => {
    expect(loadConfig({})).toMatchObject({ RETENTION_TASKS_DAYS: 0, RETENTION_EVENTS_DAYS: 0, RETENTION_OUTPUTS_DAYS: 0, RETENTION_MODE: 'archive', RETENTION_BATCH_SIZE: 500, RETENTION_PAUSE_MS: 200, RETENTION_INTERVAL_MS: 3_600_000 });
    expect(loadConfig({ RETENTION_TASKS_DAYS: '90', RETENTION_OUTPUTS_DAYS: '7', RETENTION_MODE: 'delete', RETENTION_BATCH_SIZE: '100', RETENTION_PAUSE_MS: '0' })).toMatchObject({
      RETENTION_TASKS_DAYS: 90,
      RETENTION_OUTPUTS_DAYS: 7,
      RETENTION_MODE: 'delete',
      RETENTION_BATCH_SIZE: 100,
      RETENTION_PAUSE_MS: 0,
    });
  });

  it('defaults: loopback only, 1 MiB bodies, the task env allow-list, secret patterns', () => {
    expect(loadConfig({})).toMatchObject({
      KAIROS_SECRET_KEY_PREVIOUS: [],
      TASK_ENV_ALLOW: ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'],
      SECRET_ENV_PATTERNS: ['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'KEY', 'CREDENTIAL'],
      SECRET_HEADERS: ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'],
      HTTP_BODY_LIMIT_BYTES: 1_048_576,
      ALLOWED_HOSTS: [],
      ALLOWED_ORIGINS: [],
      RATE_LIMIT_PER_SEC: 20,
      RATE_LIMIT_BURST: 100,
    });
  });
});
