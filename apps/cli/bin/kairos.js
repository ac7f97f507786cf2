#!/usr/bin/env node
'use strict';
// `kairos` launcher (package.json "bin"; also node_modules/.bin/kairos through the kairos-cli link).
// Runs the CLI from dist/ when `npm run build` made it (what `npm start` does), else from the
// TypeScript sources through the swc require hook. KAIROS_CLI_FROM_SOURCE=1 forces the sources
// (tests do, so they never run a stale build).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const built = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');

if (process.env.KAIROS_CLI_FROM_SOURCE !== '1' && fs.existsSync(built)) {
  require(path.join(root, 'scripts', 'dist-register.js'));
  require(built);
} else {
  try {
    require.resolve('@swc/core', { paths: [root] });
  } catch {
    process.stderr.write('kairos: no build in dist/ and @swc/core is not installed; run `npm ci && npm run build` in ' + root + '\n');
    process.exit(2);
  }
  require(path.join(root, 'scripts', 'swc-register.js'));
  require(path.join(root, 'apps', 'cli', 'src', 'main.ts'));
}
