// The workflow form takes JSON or YAML; the API takes JSON. YAML is parsed by the `yaml` package,
// loaded only when a YAML document is submitted (a separate chunk; JSON users never download it).
export type ParsedWorkflowText = { ok: true; value: unknown; format: 'json' | 'yaml' } | { ok: false; message: string; format: 'json' | 'yaml' | null };

/** JSON when the text starts with `{` or `[`, YAML otherwise. */
export function detectFormat(text: string): 'json' | 'yaml' {
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

export async function parseWorkflowText(text: string): Promise<ParsedWorkflowText> {
  if (!text.trim()) return { ok: false, message: 'paste a workflow as JSON or YAML', format: null };
  const format = detectFormat(text);
  if (format === 'json') {
    try {
      return { ok: true, value: JSON.parse(text), format };
    } catch (e) {
      return { ok: false, message: `not valid JSON: ${(e as Error).message}`, format };
    }
  }
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const where = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    return { ok: false, message: `not valid YAML${where}: ${e.message.split('\n')[0]}`, format };
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object') return { ok: false, message: 'a workflow is an object with "name" and "tasks"', format };
  return { ok: true, value, format };
}

export const WORKFLOW_EXAMPLE = `name: etl
tasks:
  - key: extract
    run: { kind: shell, command: [sh, -c, "echo extracted"] }
  - key: transform
    dependsOn: [extract]
    run: { kind: noop, sleepMs: 500 }
  - key: load
    dependsOn: [transform]
    run: { kind: shell, command: [echo, loaded] }
`;
