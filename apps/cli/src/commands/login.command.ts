import type { Command } from 'commander';
import { KairosClientError } from '@kairos/client';
import { globalsOf, type CliContext, type CliIo } from '../cli-context';
import { CliError, fromClientError } from '../cli.errors';
import { checkKey, checkUrl, DEFAULT_URL, keyLabel } from '../settings/cli-settings';
import { readAll } from './submit.command';

interface LoginFlags {
  keyStdin?: boolean;
  verify: boolean;
}

/** Reads a line from a terminal without echoing it (for a key typed or pasted at a prompt). */
export async function promptHidden(io: CliIo, question: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(question);
  stdin.setRawMode?.(true);
  stdin.resume();
  let line = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return line;
        if (ch === '\u0003') throw new CliError('INTERRUPTED', 'login cancelled');
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else if (ch >= ' ') line += ch;
      }
    }
    return line;
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
    io.stderr.write('\n');
  }
}

export function registerLogin(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('check and save the server URL and API key for later commands ($XDG_CONFIG_HOME/kairos/config.json or ~/.config/kairos/config.json, mode 0600); KAIROS_URL / KAIROS_KEY override it')
    .option('--key-stdin', 'read the key from standard input, so it never sits in shell history: kairos login --key-stdin < key.txt')
    .option('--no-verify', 'save without asking the server whether it accepts the key')
    .action(async (f: LoginFlags, c: Command) => {
      const { io } = ctx;
      const g = globalsOf(c);
      const store = ctx.loginStore();
      const saved = store.read();
      const url = g.url ?? (io.env.KAIROS_URL || undefined) ?? saved?.url ?? DEFAULT_URL;
      checkUrl(url, g.url !== undefined ? '--url' : io.env.KAIROS_URL ? 'KAIROS_URL' : saved ? store.path : 'default');
      let key: string | undefined;
      let source: string;
      if (f.keyStdin) {
        if (g.key !== undefined) throw new CliError('USAGE', 'give the key either with --key-stdin or with --key, not both');
        key = (await readAll(io.stdin)).trim();
        source = 'standard input';
        if (!key) throw new CliError('USAGE', '--key-stdin: standard input was empty');
      } else if (g.key !== undefined) {
        key = g.key;
        source = '--key';
        io.stderr.write('note: a key given with --key stays in your shell history; prefer --key-stdin\n');
      } else if (io.env.KAIROS_KEY) {
        key = io.env.KAIROS_KEY;
        source = 'KAIROS_KEY';
      } else if (io.stdin.isTTY) {
        key = (await promptHidden(io, `API key for ${url} (empty if the server has none): `)).trim() || undefined;
        source = 'the prompt';
      } else {
        source = 'none';
      }
      if (key !== undefined) checkKey(key, source);
      if (f.verify) {
        const client = ctx.createClient({ baseUrl: url, apiKey: key, timeoutMs: g.requestTimeout, userAgent: `kairos-cli/${ctx.version}` });
        try {
          await client.listTasks({ limit: 1 });
        } catch (err) {
          if (!(err instanceof KairosClientError)) throw err;
          const e = fromClientError(err, url);
          if (err.status === 401) throw new CliError('AUTH', key ? `${url} refused the key: ${err.message}` : `${url} needs an API key: ${err.message}`, key ? 'check the key, or ask an admin for a new one' : 'run kairos login --key-stdin and paste the key');
          if (err.status === 403) throw new CliError('AUTH', `${url} accepted the key but it may not read tasks: ${err.message}`, 'give the CLI a key with at least the read scope');
          throw new CliError(e.code, e.message, `${e.hint ?? ''}${e.hint ? ' ' : ''}To save it anyway: kairos login --no-verify`.trim());
        }
      }
      store.write({ url, ...(key ? { key } : {}), savedAt: new Date(io.now()).toISOString() });
      io.stdout.write(`logged in to ${url}${key ? ` with key ${keyLabel(key)}` : ' without a key'}${f.verify ? '' : ' (not verified)'}; saved to ${store.path}\n`);
    });

  program
    .command('logout')
    .description('forget the saved URL and key')
    .action(() => {
      const store = ctx.loginStore();
      ctx.io.stdout.write(store.remove() ? `removed ${store.path}\n` : `not logged in (no ${store.path})\n`);
    });
}
