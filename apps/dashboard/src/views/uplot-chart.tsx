import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { AlignedSeries } from '../domain/utilisation';
import { seriesColor } from '../domain/utilisation';
import { useWidth } from '../hooks';
import { Empty } from './common';

/** A uPlot time-series chart, one line per node; recreated when the node set changes, else updated. */
export function UPlotChart({
  id,
  series,
  yLabel,
  formatY,
  height = 180,
  stepped,
  integer,
}: {
  id: string;
  series: AlignedSeries;
  yLabel: string;
  formatY: (v: number) => string;
  height?: number;
  stepped?: boolean;
  /** Whole-number y ticks (task counts). */
  integer?: boolean;
}) {
  const [wrapRef, width] = useWidth<HTMLDivElement>(500);
  const plotRef = useRef<uPlot | null>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const nodesKey = series.nodes.join('\n');
  useEffect(() => {
    if (!hostRef.current) return undefined;
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: true },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [{}, { label: yLabel, values: (_u, ticks) => ticks.map(formatY), size: 60, ...(integer ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : {}) }],
      series: [
        {},
        ...series.nodes.map((n, i) => ({
          label: n.length > 24 ? `…${n.slice(-23)}` : n,
          stroke: seriesColor(i),
          width: 2,
          spanGaps: false,
          paths: stepped ? uPlot.paths.stepped!({ align: 1 }) : undefined,
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatY(v)),
        })),
      ],
    };
    const u = new uPlot(opts, series.data as uPlot.AlignedData, hostRef.current);
    plotRef.current = u;
    return () => {
      u.destroy();
      plotRef.current = null;
    };
    // Recreate only when the set of series or the axis changes; data updates go through setData.
  }, [nodesKey, yLabel, height, integer]);
  useEffect(() => {
    plotRef.current?.setData(series.data as uPlot.AlignedData);
  }, [series]);
  useEffect(() => {
    plotRef.current?.setSize({ width, height });
  }, [width, height]);
  return (
    <div ref={wrapRef} class="chart" id={id} data-series={series.nodes.length} data-points={series.data[0].length}>
      {series.data[0].length === 0 ? <Empty>no data yet</Empty> : null}
      <div ref={hostRef} />
    </div>
  );
}
