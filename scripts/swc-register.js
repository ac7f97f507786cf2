// Development-time require hook: compiles .ts on the fly with @swc/core (decorator metadata on) and
// maps @kairos/<lib> to libs/<lib>/src/index.ts. Used by benches/tests that spawn TS entry points
// without a prior build: `node --require ./scripts/swc-register.js path/to/main.ts`.
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveKairos(request, parent, ...rest) {
  const m = /^@kairos\/([a-z-]+)$/.exec(request);
  if (m) return path.join(root, 'libs', m[1], 'src', 'index.ts');
  return originalResolve.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...swcrc, filename, swcrc: false, configFile: false });
  module._compile(code, filename);
};
