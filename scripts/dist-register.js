// Runtime resolution of @kairos/<lib> for the compiled tree in dist/ (tsc keeps import paths as written).
// Usage: node --require ./scripts/dist-register.js dist/apps/<app>/src/main.js
const Module = require('node:module');
const path = require('node:path');

const dist = path.resolve(__dirname, '..', 'dist');
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveKairos(request, parent, ...rest) {
  const m = /^@kairos\/([a-z-]+)$/.exec(request);
  if (m) return path.join(dist, 'libs', m[1], 'src', 'index.js');
  return originalResolve.call(this, request, parent, ...rest);
};
