// One jest config, four projects: unit (*.spec.ts, no I/O), int (*.int-spec.ts, real PostgreSQL and
// the Kafka-protocol test broker), e2e (*.e2e-spec.ts, services as separate processes, browser) and faults
// (faults/*.fault-spec.ts: the distributed mode under load with services killed, a broker down, PostgreSQL restarted).
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(__dirname + '/.swcrc', 'utf8'));
delete swc.$schema;
// The dashboard's Preact components (.tsx): same swc settings plus TSX with Preact's automatic JSX runtime.
const swcTsx = {
  ...swc,
  jsc: { ...swc.jsc, parser: { ...swc.jsc.parser, tsx: true }, transform: { ...swc.jsc.transform, react: { runtime: 'automatic', importSource: 'preact' } } },
};
const moduleNameMapper = {};
for (const lib of ['contracts', 'scheduling-core', 'ml', 'bus', 'persistence', 'platform', 'testing', 'runtime', 'client']) {
  moduleNameMapper[`^@kairos/${lib}$`] = `<rootDir>/libs/${lib}/src/index.ts`;
}
const base = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': ['@swc/jest', swc], '^.+\\.tsx$': ['@swc/jest', swcTsx] },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper,
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
};
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench,docker}/**/*.spec.{ts,tsx}'] },
    { ...base, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'], setupFilesAfterEnv: ['<rootDir>/scripts/jest-int-setup.js'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/{apps,e2e}/**/*.e2e-spec.ts'], setupFilesAfterEnv: ['<rootDir>/scripts/jest-e2e-setup.js'] },
    { ...base, displayName: 'faults', testMatch: ['<rootDir>/faults/**/*.fault-spec.ts'], setupFilesAfterEnv: ['<rootDir>/scripts/jest-faults-setup.js'] },
  ],
};
