// Multi-resource vectors. Five fixed dimensions keep the hot loops (fit checks, packing scores) cheap.
export const RESOURCE_KEYS = ['cpuMillis', 'memMb', 'gpu', 'io', 'net'] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];
export type Resources = Readonly<Record<ResourceKey, number>>;
export type MutableResources = Record<ResourceKey, number>;

export const ZERO_RESOURCES: Resources = Object.freeze({ cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 });

export function resources(partial: Partial<Resources>): Resources {
  return { ...ZERO_RESOURCES, ...partial };
}

export function addInto(target: MutableResources, r: Resources, times = 1): void {
  for (const k of RESOURCE_KEYS) target[k] += r[k] * times;
}

export function subInto(target: MutableResources, r: Resources, times = 1): void {
  for (const k of RESOURCE_KEYS) target[k] -= r[k] * times;
}

/** True when `req` fits into `free` in every dimension (a small epsilon absorbs float drift). */
export function fitsIn(req: Resources, free: Resources): boolean {
  return (
    req.cpuMillis <= free.cpuMillis + 1e-9 &&
    req.memMb <= free.memMb + 1e-9 &&
    req.gpu <= free.gpu + 1e-9 &&
    req.io <= free.io + 1e-9 &&
    req.net <= free.net + 1e-9
  );
}

/** Largest share of `capacity` that `req` asks for (the dominant share of DRF). */
export function dominantShare(req: Resources, capacity: Resources): number {
  let best = 0;
  for (const k of RESOURCE_KEYS) {
    if (capacity[k] > 0) best = Math.max(best, req[k] / capacity[k]);
  }
  return best;
}

/** Tetris alignment: dot product of the normalised request and normalised free vector. */
export function alignment(req: Resources, free: Resources, capacity: Resources): number {
  let dot = 0;
  for (const k of RESOURCE_KEYS) {
    if (capacity[k] > 0) dot += (req[k] / capacity[k]) * (free[k] / capacity[k]);
  }
  return dot;
}
