// Public API of @kairos/scheduling-core: pure, framework-free scheduling code shared by the live
// executor and the simulator. Each area keeps its own barrel.
export * from './core.index';
export * from './dag/index';
export * from './schedules/index';
