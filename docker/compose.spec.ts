import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigSchema, loadConfig } from '@kairos/platform';

// docker/compose.yaml against the services' configuration schema (no Docker engine runs on the
// development machines, so this is what checks the stack's wiring): every variable a Kairos service
// gets is one the schema knows and its value passes validation; the gateway reaches every owner by a
// service name that exists; healthchecks use readiness; every ${VAR} compose reads is documented.
const DIR = __dirname;
const composeText = readFileSync(join(DIR, 'compose.yaml'), 'utf8');
const dockerfile = readFileSync(join(DIR, 'Dockerfile'), 'utf8');
const readme = readFileSync(join(DIR, 'README.md'), 'utf8');

interface ComposeService {
  build?: { target?: string };
  environment?: Record<string, string | number | boolean>;
  healthcheck?: unknown;
  deploy?: { replicas?: number };
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const KAIROS = ['gateway', 'collector', 'analyzer', 'executor'] as const;

/** Values for ${VAR:?…} (required) variables, as a user would export them. */
const REQUIRED_FOR_TEST: Record<string, string> = { KAIROS_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), KAIROS_ADMIN_KEY: 'kairos_00000000000000aa_testtesttesttesttesttesttesttesttesttesttes' };

/** Compose interpolation of one value: ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR}. */
function interpolate(value: string, where: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)([^}]*))?\}/g, (_m, name: string, dash?: string, dflt?: string, q?: string) => {
    if (dash !== undefined) return dflt ?? '';
    if (q !== undefined || REQUIRED_FOR_TEST[name] !== undefined) {
      if (REQUIRED_FOR_TEST[name] === undefined) throw new Error(`${where}: \${${name}} is required and this check has no value for it`);
      return REQUIRED_FOR_TEST[name];
    }
    throw new Error(`${where}: \${${name}} has no default; compose would pass an empty string`);
  });
}

const envOf = (service: string): Record<string, string> =>
  Object.fromEntries(Object.entries(compose.services[service].environment ?? {}).map(([k, v]) => [k, interpolate(String(v), `${service}.environment.${k}`)]));

describe('docker/compose.yaml', () => {
  it('runs the four Kairos services, each built from its Dockerfile target', () => {
    for (const s of KAIROS) expect([s, compose.services[s]?.build?.target]).toEqual([s, s]);
    for (const s of KAIROS) expect(dockerfile).toContain(`FROM runtime AS ${s}`);
  });

  it.each(KAIROS)('%s: every variable is in the config schema and passes validation', (service) => {
    const env = envOf(service);
    const known = new Set(Object.keys(ConfigSchema.shape));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    expect(() => loadConfig(env)).not.toThrow();
    const config = loadConfig(env);
    expect(config.KAFKA_BROKERS).toBeDefined();
    expect(config.DATABASE_URL).toBeDefined();
    expect(config.KAIROS_SECRET_KEY).toBeDefined();
  });

  it('the gateway forwards to each owner by a compose service name, at the port that service listens on, and that service accepts the Host', () => {
    const gw = loadConfig(envOf('gateway'));
    const targets = { ANALYZER_URLS: 'analyzer', COLLECTOR_URLS: 'collector', EXECUTOR_URLS: 'executor' } as const;
    for (const [variable, service] of Object.entries(targets) as Array<[keyof typeof targets, (typeof targets)[keyof typeof targets]]>) {
      expect([variable, gw[variable].length]).toEqual([variable, 1]);
      const url = new URL(gw[variable][0]);
      const owner = loadConfig(envOf(service));
      expect([variable, url.hostname, Number(url.port)]).toEqual([variable, service, owner.PORT]);
      expect(owner.ALLOWED_HOSTS).toContain(url.host);
    }
  });

  it('healthchecks use readiness (/health/ready), and tasks run in a directory the service user owns', () => {
    const hc = /HEALTHCHECK[^\n]*\\\n\s*CMD (.*)/.exec(dockerfile);
    expect(hc?.[1]).toContain('/health/ready');
    for (const s of KAIROS) expect([s, compose.services[s].healthcheck]).toEqual([s, undefined]); // the image's own
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'), dockerfile.indexOf('AS gateway'));
    const workdir = [...runtime.matchAll(/^WORKDIR (\S+)/gm)].map((m) => m[1]).pop()!;
    expect(runtime).toMatch(new RegExp(`chown node:node [^\\n]*${workdir.replace('/', '\\/')}\\b`));
    expect(runtime.indexOf('USER node')).toBeGreaterThan(-1);
    // Entrypoints do not depend on the working directory.
    for (const cmd of dockerfile.matchAll(/^CMD \[(.*)\]$/gm)) expect(cmd[1]).not.toMatch(/"\.\/|"dist\//);
  });

  it('every variable compose reads from the shell is documented in docker/README.md', () => {
    const vars = new Set([...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
    expect([...vars].filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });
});
