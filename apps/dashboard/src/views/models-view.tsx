import { useState } from 'preact/hooks';
import type { ModelAccuracy, ModelDrift, ModelSummary, ModelVersions } from '../api/api-types';
import { requestJson } from '../api/http-client';
import { live } from '../api/live-data';
import { useLive } from '../api/use-live';
import { modelTopic, pollInterval, usePush } from '../api/live-push';
import { formatDateTime, formatDuration, formatPercent } from '../domain/format';
import { canRollback, versionRows } from '../domain/model-registry';
import { Empty, FieldError, LoadError, Loading, Pill, Section } from './common';

export function ModelsView() {
  const models = useLive<ModelSummary[]>('/api/models', 5000);
  const [trainError, setTrainError] = useState('');
  const [training, setTraining] = useState(false);
  const train = async () => {
    setTrainError('');
    setTraining(true);
    try {
      await requestJson('/api/models/duration/train', { method: 'POST', body: {} });
      live.invalidate('/api/models');
    } catch (e) {
      setTrainError((e as Error).message);
    } finally {
      setTraining(false);
    }
  };
  return (
    <main>
      <Section
        title="Model registry"
        wide
        actions={
          <button type="button" id="train-duration" disabled={training} onClick={train}>
            {training ? 'training…' : 'Train duration model'}
          </button>
        }
      >
        <FieldError id="train-error" message={trainError} />
        <LoadError error={models.error} what="models" />
        {!models.data ? <Loading what="models" /> : !models.data.length ? <Empty>no model registered yet: train one on the platform's history</Empty> : null}
      </Section>
      {(models.data ?? []).map((m) => (
        <ModelSection key={m.name} name={m.name} />
      ))}
    </main>
  );
}

function ModelSection({ name }: { name: string }) {
  const base = `/api/models/${encodeURIComponent(name)}`;
  // Stage changes (train, deploy, rollback — from any client) are pushed by GraphQL modelEvents.
  const push = usePush(modelTopic(name));
  const versions = useLive<ModelVersions>(`${base}/versions`, pollInterval(push, 5000));
  const accuracy = useLive<ModelAccuracy>(`${base}/accuracy`, 5000);
  const drift = useLive<ModelDrift>(`${base}/drift`, 15_000);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const call = async (path: string) => {
    setError('');
    setBusy(true);
    try {
      await requestJson(path, { method: 'POST' });
      live.invalidate('/api/models');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const rows = versionRows(versions.data?.versions ?? [], accuracy.data, drift.data?.reports);
  return (
    <Section
      title={`Model ${name}`}
      wide
      id={`model-${name}`}
      actions={
        <button type="button" class="rollback" disabled={busy || !versions.data} title={versions.data && !canRollback(versions.data.versions) ? 'no production version to roll back' : undefined} onClick={() => call(`${base}/rollback`)}>
          Roll back
        </button>
      }
    >
      <FieldError id={`model-error-${name}`} message={error} />
      <LoadError error={versions.error} what="versions" />
      <table class="versions">
        <thead>
          <tr>
            <th>version</th>
            <th>stage</th>
            <th>created</th>
            <th>validation MAE (baseline)</th>
            <th>validation p90 coverage</th>
            <th>live MAE</th>
            <th>live p90 coverage</th>
            <th>live bias</th>
            <th>drift</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.version} data-version={r.version} data-stage={r.stage}>
              <td>v{r.version}</td>
              <td>
                <Pill status={r.stage} />
              </td>
              <td title={r.notes ?? undefined}>
                {formatDateTime(r.createdAt)} by {r.createdBy}
              </td>
              <td>
                {formatDuration(r.validationMaeMs)} ({formatDuration(r.baselineMaeMs)})
              </td>
              <td>{formatPercent(r.validationP90Coverage, 0)}</td>
              <td>{r.liveCount ? `${formatDuration(r.liveMaeMs)} (n=${r.liveCount})` : '–'}</td>
              <td>{r.liveCount ? formatPercent(r.liveP90Coverage, 0) : '–'}</td>
              <td>{r.liveCount ? formatDuration(r.liveBiasMs) : '–'}</td>
              <td title={r.drift?.reasons.join('; ')}>{r.drift ? `${r.drift.decision} (${formatDateTime(r.drift.at)})` : '–'}</td>
              <td>
                {r.canDeploy ? (
                  <button type="button" class="deploy" disabled={busy} onClick={() => call(`${base}/versions/${r.version}/deploy`)}>
                    Deploy
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {versions.data?.history.length ? (
        <details>
          <summary>stage history ({versions.data.history.length})</summary>
          <ul class="history">
            {[...versions.data.history].reverse().map((h, i) => (
              <li key={i}>
                {formatDateTime(h.at)}: v{h.version} {h.from ?? '—'} → {h.to} ({h.reason}, by {h.by}){h.note ? ` — ${h.note}` : ''}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Section>
  );
}
