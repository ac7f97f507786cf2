import { GpuDeviceAllocator } from './gpu-devices';

describe('GpuDeviceAllocator', () => {
  it('hands out the lowest free devices, frees them on release, refuses what is not free', () => {
    const a = new GpuDeviceAllocator([3, 0, 2, 1]);
    expect(a.allocate('x', 2)).toEqual([0, 1]);
    expect(a.allocate('y', 1)).toEqual([2]);
    expect(a.allocate('z', 2)).toBeNull();
    expect(a.free).toBe(1);
    expect(a.release('x')).toEqual([0, 1]);
    expect(a.release('x')).toEqual([]); // twice is harmless
    expect(a.allocate('z', 2)).toEqual([0, 1]);
    expect(a.devicesOf('y')).toEqual([2]);
    expect(a.allocate('none', 0)).toEqual([]);
  });

  it('rejects bad device lists, counts and double leases', () => {
    expect(() => new GpuDeviceAllocator([0, 0])).toThrow(/distinct non-negative integers/);
    expect(() => new GpuDeviceAllocator([-1])).toThrow(/distinct non-negative integers/);
    const a = new GpuDeviceAllocator([0]);
    expect(() => a.allocate('x', 1.5)).toThrow(/non-negative integer/);
    a.allocate('x', 1);
    expect(() => a.allocate('x', 0)).toThrow(/already holds GPUs/);
  });
});
