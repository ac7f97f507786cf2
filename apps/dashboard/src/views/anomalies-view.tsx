import { itemsOf, type AnomalyScore, type Diagnosis, type Page, type RepairAudit } from '../api/api-types';
import { useLive } from '../api/use-live';
import { anomaliesTopic, usePush } from '../api/live-push';
import { anomalyBand, joinAnomalies, type DiagnosisRow } from '../domain/anomaly-join';
import { formatDateTime, formatNumber, formatPercent } from '../domain/format';
import { Empty, LoadError, Section } from './common';

export function AnomaliesView() {
  // An anomaly peak is pushed (GraphQL anomalyEvents) and re-fetches all three at once; scores move
  // between peaks and diagnoses follow later, so the 5 s poll stays.
  usePush(anomaliesTopic());
  const every = 5000;
  const scores = useLive<AnomalyScore[]>('/api/anomalies?windowSec=600', every);
  const diagnoses = useLive<Page<Diagnosis>>('/api/diagnoses?limit=200', every);
  const repairs = useLive<Page<RepairAudit>>('/api/repairs?limit=200', every);
  const joined = joinAnomalies(scores.data ?? [], itemsOf(diagnoses.data) ?? [], itemsOf(repairs.data) ?? []);
  return (
    <main>
      <Section title="Anomaly scores per node (last 10 min)" wide>
        <LoadError error={scores.error} what="anomaly scores" />
        <LoadError error={diagnoses.error} what="diagnoses" />
        <LoadError error={repairs.error} what="repairs" />
        {!joined.nodes.length ? <Empty>no node metrics scored yet</Empty> : null}
        <div class="cards" id="anomaly-nodes">
          {joined.nodes.map((n) => (
            <div class="card" key={n.nodeId} data-node={n.nodeId}>
              <h3>{n.nodeId}</h3>
              <table>
                <thead>
                  <tr>
                    <th>metric</th>
                    <th>latest</th>
                    <th>peak</th>
                    <th>samples</th>
                  </tr>
                </thead>
                <tbody>
                  {n.metrics.map((m) => (
                    <tr key={m.metric}>
                      <td>{m.metric}</td>
                      <td>
                        <ScoreBar score={m.latest} learning={m.learning} />
                      </td>
                      <td title={m.maxAt ? `at ${formatDateTime(m.maxAt)}` : undefined}>{m.max === null ? '–' : formatNumber(m.max, 2)}</td>
                      <td>
                        {m.samplesSeen}
                        {m.learning ? ' (learning)' : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h4>Diagnoses and actions</h4>
              {n.diagnoses.length ? <DiagnosisTable rows={n.diagnoses} /> : <p class="muted small">none</p>}
            </div>
          ))}
        </div>
      </Section>
      {joined.other.length ? (
        <Section title="Other diagnoses" wide>
          <DiagnosisTable rows={joined.other} />
        </Section>
      ) : null}
    </main>
  );
}

function ScoreBar({ score, learning }: { score: number | null; learning: boolean }) {
  if (score === null) return <span class="muted">–</span>;
  const band = anomalyBand(score);
  return (
    <span class={`score b-${band}`} title={learning ? 'detector still learning: scores are 0 until probation ends' : band}>
      <svg width="60" height="10" aria-hidden="true">
        <rect width="60" height="10" class="score-bg" />
        <rect width={Math.max(1, score * 60)} height="10" class="score-fill" />
      </svg>{' '}
      {formatNumber(score, 2)}
    </span>
  );
}

function DiagnosisTable({ rows }: { rows: readonly DiagnosisRow[] }) {
  return (
    <table class="diagnoses">
      <thead>
        <tr>
          <th>decided</th>
          <th>rule</th>
          <th>target</th>
          <th>confidence</th>
          <th>explanation</th>
          <th>action</th>
          <th>taken</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.diagnosis.id} data-outcome={r.diagnosis.outcome}>
            <td>{formatDateTime(r.diagnosis.decidedAt)}</td>
            <td>{r.diagnosis.ruleId}</td>
            <td>{r.target}</td>
            <td>{formatPercent(r.diagnosis.confidence, 0)}</td>
            <td>{r.diagnosis.explanation}</td>
            <td>{r.action}</td>
            <td class={`outcome o-${r.diagnosis.outcome}`}>{r.taken}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
