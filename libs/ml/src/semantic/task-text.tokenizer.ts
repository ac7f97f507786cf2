/**
 * What a task says about itself in words: its name, program and arguments, labels, and (when the runner kept
 * them) its latest output lines. Everything optional; a platform task maps its run spec here (shell: argv[0] and
 * the rest; http: method and URL path), a Pegasus task its name, category, command.program and arguments.
 */
export interface TaskText {
  readonly name?: string;
  readonly category?: string;
  readonly program?: string;
  readonly args?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly outputLines?: readonly string[];
}

export interface TokenizerOptions {
  /** Word bigrams within one field (default true). */
  readonly bigrams: boolean;
  /** Character 3-grams of each distinct word, with ^ and $ marking its ends (default true). */
  readonly charTrigrams: boolean;
  /** At most this many arguments and output lines are read (long file lists add little but cost). */
  readonly maxArgs: number;
  readonly maxOutputLines: number;
}

export const DEFAULT_TOKENIZER_OPTIONS: TokenizerOptions = { bigrams: true, charTrigrams: true, maxArgs: 64, maxOutputLines: 20 };

/**
 * The token classes the extractor treats differently: `prog:` (the program's name), `w:` words, `b:` bigrams,
 * `l:` label pairs (all "identifying" tokens that target encoding reads) and `c:` character 3-grams (shared
 * sub-word pieces, only for the hashed linear view).
 */
export interface TaskTokens {
  /** prog:, w:, b:, l: tokens, de-duplicated, in first-seen order. */
  readonly identifying: readonly string[];
  /** c: tokens, de-duplicated. */
  readonly subword: readonly string[];
  /** The program token, or null when the task names no program. */
  readonly program: string | null;
  /** How many arguments the task had (before the maxArgs cap). */
  readonly argCount: number;
}

const HEX_LIKE = /^(?=.*\d)(?=.*[a-f])[0-9a-f]{8,}$/;
const DIGITS = /^\d+$/;

/**
 * Words of one string: split at anything but letters and digits, at camelCase humps and at letter/digit
 * boundaries; lower-cased. Long digit runs become a length class (<n7>), hex digests <hex>, so run-specific
 * ids do not become tokens of their own while small numbers (thread counts, chromosome numbers) stay.
 */
export function wordsOf(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[^A-Za-z0-9]+/)) {
    if (raw === '') continue;
    const lowerRaw = raw.toLowerCase();
    if (HEX_LIKE.test(lowerRaw)) {
      out.push('<hex>');
      continue;
    }
    const parts = raw
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .replace(/([A-Za-z])(\d)/g, '$1 $2')
      .replace(/(\d)([A-Za-z])/g, '$1 $2')
      .split(' ');
    for (const p of parts) {
      const w = p.toLowerCase();
      if (w === '') continue;
      out.push(DIGITS.test(w) && w.length > 4 ? `<n${Math.min(w.length, 12)}>` : w);
    }
  }
  return out;
}

function programName(program: string): string {
  const base = program.split(/[\\/]/).pop() ?? program;
  return base.toLowerCase();
}

/** Tokens of a task's text (see TaskTokens); deterministic for a given input and options. */
export function tokenizeTaskText(text: TaskText, options: Partial<TokenizerOptions> = {}): TaskTokens {
  const o: TokenizerOptions = { ...DEFAULT_TOKENIZER_OPTIONS, ...options };
  const identifying = new Set<string>();
  const words = new Set<string>();
  const field = (s: string | undefined): void => {
    if (s === undefined || s === '') return;
    const ws = wordsOf(s);
    ws.forEach((w, i) => {
      identifying.add(`w:${w}`);
      words.add(w);
      if (o.bigrams && i > 0) identifying.add(`b:${ws[i - 1]}_${w}`);
    });
  };
  const program = text.program !== undefined && text.program !== '' ? `prog:${programName(text.program)}` : null;
  if (program !== null) identifying.add(program);
  field(text.program);
  field(text.name);
  field(text.category);
  const args = text.args ?? [];
  for (let i = 0; i < Math.min(args.length, o.maxArgs); i++) field(args[i]);
  const labels = text.labels ?? {};
  for (const key of Object.keys(labels).sort()) {
    identifying.add(`l:${key.toLowerCase()}=${labels[key].toLowerCase()}`);
    field(key);
    field(labels[key]);
  }
  const lines = text.outputLines ?? [];
  for (let i = Math.max(0, lines.length - o.maxOutputLines); i < lines.length; i++) field(lines[i].slice(0, 200));
  const subword = new Set<string>();
  if (o.charTrigrams) {
    for (const w of words) {
      if (w.startsWith('<')) continue;
      const padded = `^${w}$`;
      for (let i = 0; i + 3 <= padded.length; i++) subword.add(`c:${padded.slice(i, i + 3)}`);
    }
  }
  return { identifying: [...identifying], subword: [...subword], program, argCount: args.length };
}
