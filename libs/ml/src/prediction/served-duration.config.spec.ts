import { paramsForRows, SERVED_DURATION_MODEL } from './served-duration.config';

describe('paramsForRows', () => {
  it('keeps the configured leaf size from 4,000 rows up (the benchmark measures it) and lowers it on short histories', () => {
    expect(paramsForRows(SERVED_DURATION_MODEL.central, 28_000)).toEqual(SERVED_DURATION_MODEL.central);
    expect(paramsForRows(SERVED_DURATION_MODEL.central, 4_000).minLeaf).toBe(20);
    expect(paramsForRows(SERVED_DURATION_MODEL.central, 2_000).minLeaf).toBe(10);
    expect(paramsForRows(SERVED_DURATION_MODEL.central, 192).minLeaf).toBe(5);
    expect(paramsForRows({ nTrees: 10 }, 50)).toEqual({ nTrees: 10 });
  });
});
