// Preload for a service under a soak: turns on V8's --trace-gc (NODE_OPTIONS does not allow that flag),
// so every GC line lands in the service log for scripts/gc-trend.mjs. Used by docs/reliability.md, 'Leak hunt'.
require('v8').setFlagsFromString('--trace-gc');
