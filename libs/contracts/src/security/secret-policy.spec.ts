import { RunSpecSchema, type RunSpec } from '../task.schema';
import { collectSecretValues, DEFAULT_SECRET_POLICY, isSecretEnvName, isSecretHeaderName, normalizeSecrets, REDACTED, redactRunSpec, redactText, type SecretPolicy } from './secret-policy';

const shell = (over: object): RunSpec => RunSpecSchema.parse({ kind: 'shell', command: ['deploy'], ...over });
const http = (over: object): RunSpec => RunSpecSchema.parse({ kind: 'http', url: 'https://api.example.com/', ...over });

describe('which names are secret', () => {
  it.each([
    ['GITHUB_TOKEN', true],
    ['github_token', true],
    ['DB_PASSWORD', true],
    ['MYSQL_PASSWD', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['API_KEY', true],
    ['apiKey', true],
    ['GOOGLE_APPLICATION_CREDENTIALS', true],
    ['PATH', false],
    ['HOME', false],
    ['LANG', false],
    ['TOKENIZER_THREADS', true], // a false positive only hides a value
  ])('env %s → %s', (name, secret) => {
    expect(isSecretEnvName(name)).toBe(secret);
  });

  it.each([
    ['Authorization', true],
    ['proxy-authorization', true],
    ['COOKIE', true],
    ['X-Api-Key', true],
    ['Content-Type', false],
    ['X-Authorization-Hint', false],
  ])('header %s → %s', (name, secret) => {
    expect(isSecretHeaderName(name)).toBe(secret);
  });

  it('follows a configured policy', () => {
    const policy: SecretPolicy = { envNamePatterns: ['PIN'], headerNames: ['x-session'] };
    expect(isSecretEnvName('SIM_PIN', policy)).toBe(true);
    expect(isSecretEnvName('GITHUB_TOKEN', policy)).toBe(false);
    expect(isSecretHeaderName('X-Session', policy)).toBe(true);
  });
});

describe('normalizeSecrets', () => {
  it('moves secret-looking env names into secretEnv and keeps the rest', () => {
    const n = normalizeSecrets(shell({ env: { CI: '1', NPM_TOKEN: 'npm_abc' }, secretEnv: { SIGNING: 'pem' } }));
    expect(n).toMatchObject({ env: { CI: '1' }, secretEnv: { SIGNING: 'pem', NPM_TOKEN: 'npm_abc' } });
  });
  it('moves Authorization into secretHeaders, whatever its case', () => {
    const n = normalizeSecrets(http({ headers: { authorization: 'Bearer t0ken', Accept: 'application/json' } }));
    expect(n).toMatchObject({ headers: { Accept: 'application/json' }, secretHeaders: { authorization: 'Bearer t0ken' } });
  });
  it('adds no secretEnv key to a spec without secrets', () => {
    expect(normalizeSecrets(shell({ env: { CI: '1' } }))).not.toHaveProperty('secretEnv');
  });
});

describe('redactRunSpec', () => {
  it('hides marked and automatic secrets with one fixed marker, whatever their length', () => {
    const spec = shell({ env: { CI: '1', NPM_TOKEN: 'x' }, secretEnv: { LONG: 'y'.repeat(5000) } });
    const r = redactRunSpec(spec);
    expect(r).toMatchObject({ env: { CI: '1', NPM_TOKEN: REDACTED }, secretEnv: { LONG: REDACTED } });
    expect(JSON.stringify(r)).not.toMatch(/yyyy|"x"/);
  });
  it('hides secret headers, not the others', () => {
    const r = redactRunSpec(http({ headers: { Cookie: 'sid=1', Accept: '*/*' }, secretHeaders: { 'X-Sig': 'abc' } }));
    expect(r).toMatchObject({ headers: { Cookie: REDACTED, Accept: '*/*' }, secretHeaders: { 'X-Sig': REDACTED } });
  });
  it('does not modify its input', () => {
    const spec = shell({ env: { NPM_TOKEN: 'x' } });
    redactRunSpec(spec);
    expect(spec).toMatchObject({ env: { NPM_TOKEN: 'x' } });
  });
});

describe('redactText', () => {
  it('scrubs every occurrence, longest secret first', () => {
    expect(redactText('a=hunter22 b=hunter22hunter22', ['hunter22', 'hunter22hunter22'])).toBe(`a=${REDACTED} b=${REDACTED}`);
  });
  it('scrubs the credential of an Authorization header, a Basic password and URL/JSON-escaped forms', () => {
    const bearer = 'Bearer eyJhbGciOi.payload.sig';
    expect(redactText('token was eyJhbGciOi.payload.sig', [bearer])).toBe(`token was ${REDACTED}`);
    const basic = `Basic ${Buffer.from('alice:p@ss/word').toString('base64')}`;
    expect(redactText('login alice:p@ss/word failed; pw=p@ss/word', [basic])).toBe(`login ${REDACTED} failed; pw=${REDACTED}`);
    expect(redactText('?pw=p%40ss%2Fword', [basic])).toBe(`?pw=${REDACTED}`);
    expect(redactText('{"v":"say \\"hi\\""}', ['say "hi"'])).toBe(`{"v":"${REDACTED}"}`);
  });
  it('leaves values shorter than 4 characters (they would match everywhere) and empty input alone', () => {
    expect(redactText('value 123 here', ['123'])).toBe('value 123 here');
    expect(redactText('', ['secret'])).toBe('');
  });
  it('collectSecretValues finds marked and automatic ones', () => {
    expect(collectSecretValues(shell({ env: { NPM_TOKEN: 'npm_abc', CI: '1' }, secretEnv: { S: 'pem' } }), DEFAULT_SECRET_POLICY).sort()).toEqual(['npm_abc', 'pem']);
    expect(collectSecretValues(http({ headers: { Authorization: 'Bearer x' } }))).toEqual(['Bearer x']);
  });
});
