import type { Command } from 'commander';
import { API_KEY_SCOPES, KairosClientError, type ApiKeyScope } from '@kairos/client';
import { clientOf, collect, globalsOf, positiveInt, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { formatTable, orDash, shortTime, toJsonText } from '../output/table.format';

/** A server before the security work answers 404 on /api/keys: say so rather than "not found". */
async function withKeyRoutes<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof KairosClientError && err.isRouteMissing) throw new CliError('NOT_SUPPORTED', 'this server has no key management (it answers 404 on /api/keys)');
    throw err;
  }
}

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('API keys: create, list, revoke (needs an admin key)');
  keys
    .command('create')
    .description('create an API key; its secret is printed once, here, and never again')
    .requiredOption('--name <name>', 'what the key is for, e.g. ci-nightly')
    .requiredOption('--scope <scopes>', `scopes (comma-separated or repeated): ${API_KEY_SCOPES.join(', ')}`, collect)
    .option('--tenant <tenant>', "the key's tenant (default: the admin key's own); it sees only that tenant's tasks, workflows and schedules")
    .action(async (f: { name: string; scope: string[]; tenant?: string }, c: Command) => {
      const { io } = ctx;
      const bad = f.scope.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
      if (bad.length) throw new CliError('USAGE', `--scope: unknown scope ${bad.map((s) => JSON.stringify(s)).join(', ')} (scopes: ${API_KEY_SCOPES.join(', ')})`);
      if (f.tenant !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(f.tenant)) throw new CliError('USAGE', `--tenant: ${JSON.stringify(f.tenant)} is not a tenant (lower-case letters, digits and "-", starting with a letter or digit, at most 63)`);
      const created = await withKeyRoutes(() => clientOf(c, ctx).createKey({ name: f.name, scopes: [...new Set(f.scope)] as ApiKeyScope[], ...(f.tenant !== undefined ? { tenant: f.tenant } : {}) }));
      if (globalsOf(c).json) return void io.stdout.write(toJsonText(created));
      io.stdout.write(`${created.key}\n`);
      io.stderr.write(`created key ${created.id} (${created.scopes.join(', ')}${created.tenant ? `; tenant ${created.tenant}` : ''}); store the secret above now, it is not shown again\n`);
    });
  keys
    .command('ls')
    .alias('list')
    .description('list API keys (ids, names, scopes, tenants; never secrets)')
    .option('--limit <n>', 'at most this many', positiveInt(1000))
    .option('--cursor <cursor>', 'the next page')
    .action(async (f: { limit?: number; cursor?: string }, c: Command) => {
      const { io } = ctx;
      const page = await withKeyRoutes(() => clientOf(c, ctx).listKeys({ limit: f.limit, cursor: f.cursor }));
      if (globalsOf(c).json) return void io.stdout.write(toJsonText(page));
      io.stdout.write(formatTable(['ID', 'NAME', 'SCOPES', 'TENANT', 'CREATED', 'LAST USED', 'REVOKED'], page.items.map((k) => [k.id, orDash(k.name), k.scopes.join(','), orDash(k.tenant), shortTime(k.createdAt), shortTime(k.lastUsedAt), shortTime(k.revokedAt)])));
    });
  keys
    .command('revoke')
    .description('revoke an API key; requests with it are refused from now on')
    .argument('<id>', 'key id (from kairos keys ls)')
    .action(async (id: string, _f: unknown, c: Command) => {
      await withKeyRoutes(() => clientOf(c, ctx).revokeKey(id));
      if (globalsOf(c).json) return void ctx.io.stdout.write(toJsonText({ id, revoked: true }));
      ctx.io.stdout.write(`revoked key ${id}\n`);
    });
}
