/**
 * Writes the JSON Schema files of the contracts external producers use (libs/contracts/schemas/).
 * `npm run gen:schemas`; `--check` exits 1 naming each file that is not current (the unit test does the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GENERATED_JSON_SCHEMAS } from '../src/json-schemas';

const dir = resolve(__dirname, '../schemas');
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of Object.entries(GENERATED_JSON_SCHEMAS())) {
  const path = join(dir, file);
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      stale++;
      console.error(`${path} is not current: run npm run gen:schemas`);
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
process.exit(stale ? 1 : 0);
