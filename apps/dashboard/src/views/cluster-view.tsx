import { useEffect, useState } from 'preact/hooks';
import type { ExecutorStatus, NodeRollup, Stats } from '../api/api-types';
import { useLive } from '../api/use-live';
import { nodesTopic, usePush } from '../api/live-push';
import { formatLatency, formatMb, formatNumber, formatPercent } from '../domain/format';
import { appendSample, seriesFromRollups, seriesFromSamples, type ExecutorSample } from '../domain/utilisation';
import { useLiveMany } from '../hooks';
import { Empty, LoadError, Section } from './common';
import { UPlotChart } from './uplot-chart';

/** Live samples survive navigating away and back (they are only taken while this view is open). */
let samples: ExecutorSample[] = [];
const KEEP_MS = 15 * 60_000;

export function ClusterView() {
  // Node changes (status, running count, capacity) are pushed (GraphQL nodeUpdates) and re-fetched at
  // once; reservations and latencies move between node events, so the polls stay as they were.
  usePush(nodesTopic());
  const status = useLive<ExecutorStatus>('/api/executor/status', 2000);
  const stats = useLive<Stats>('/api/stats', 5000);
  const [buf, setBuf] = useState(samples);
  useEffect(() => {
    if (!status.data) return;
    samples = appendSample(samples, status.data, status.fetchedAt || Date.now(), KEEP_MS);
    setBuf(samples);
  }, [status.data, status.fetchedAt]);
  const nodeIds = (stats.data?.nodes ?? []).map((n) => n.id);
  const rollups = useLiveMany<NodeRollup[]>(
    nodeIds.map((n) => `/api/metrics/nodes/${encodeURIComponent(n)}/rollups`),
    15_000,
  );
  const byNode: Record<string, NodeRollup[]> = {};
  for (const n of nodeIds) byNode[n] = rollups.get(`/api/metrics/nodes/${encodeURIComponent(n)}/rollups`)?.data ?? [];
  const s = status.data;
  return (
    <main>
      <Section title="Executor" wide>
        {status.error?.status === 404 ? (
          <Empty>this process does not host an executor (GET /api/executor/status is served by executor processes)</Empty>
        ) : (
          <LoadError error={status.error} what="executor status" />
        )}
        {s ? (
          <>
            <p id="executor-summary">
              {s.running} running · default policy {s.defaultPolicy.policy} / {s.defaultPolicy.placement} · scheduler decision latency p50{' '}
              {formatLatency(s.decisionLatency.p50Ms)}, p99 {formatLatency(s.decisionLatency.p99Ms)} (last {s.decisionLatency.window} decisions)
            </p>
            <table id="executor-nodes">
              <thead>
                <tr>
                  <th>node</th>
                  <th>running</th>
                  <th>CPU reserved</th>
                  <th>memory reserved</th>
                  <th>cordoned</th>
                </tr>
              </thead>
              <tbody>
                {s.nodes.map((n) => (
                  <tr key={n.id}>
                    <td>{n.id}</td>
                    <td>{n.running}</td>
                    <td>
                      {n.usedCpu} / {n.cpuMillis} m ({formatPercent(n.cpuMillis ? n.usedCpu / n.cpuMillis : 0, 0)})
                    </td>
                    <td>
                      {formatMb(n.usedMem)} / {formatMb(n.memMb)}
                    </td>
                    <td>{n.cordoned ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
      </Section>
      <Section title="Running tasks per node (live)">
        <UPlotChart id="chart-running" series={seriesFromSamples(buf, 'running')} yLabel="tasks" formatY={(v) => formatNumber(v, 0)} stepped integer />
      </Section>
      <Section title="CPU reserved per node (live)">
        <UPlotChart id="chart-cpu-reserved" series={seriesFromSamples(buf, 'cpuFrac')} yLabel="% of capacity" formatY={(v) => formatPercent(v, 0)} stepped />
      </Section>
      <Section title="Measured CPU per node (minute average)">
        <UPlotChart id="chart-cpu" series={seriesFromRollups(byNode, 'cpuAvg')} yLabel="CPU %" formatY={(v) => `${formatNumber(v, 1)} %`} />
      </Section>
      <Section title="Measured memory per node (minute average)">
        <UPlotChart id="chart-mem" series={seriesFromRollups(byNode, 'memAvg')} yLabel="memory" formatY={formatMb} />
      </Section>
    </main>
  );
}
