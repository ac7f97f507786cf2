import { metricStreamInfo } from './diagnosis.service';

describe('metricStreamInfo', () => {
  it('gives CPU streams their 0–100 % domain and memory streams the node\'s declared memory', () => {
    expect(metricStreamInfo('node-a/cpuPercent', 750)).toEqual({ inputMin: 0, inputMax: 100, probationaryPeriod: 750 });
    expect(metricStreamInfo('node-a/memMb', 120, 4096)).toEqual({ inputMin: 0, inputMax: 4096, probationaryPeriod: 120 });
  });

  it('leaves the range to the detector when the node\'s memory is unknown', () => {
    expect(metricStreamInfo('node-a/memMb', 750)).toEqual({ probationaryPeriod: 750 });
    expect(metricStreamInfo('node-a/memMb', 750, 0)).toEqual({ probationaryPeriod: 750 });
  });
});
