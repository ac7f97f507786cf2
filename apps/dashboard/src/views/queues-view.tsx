import { useState } from 'preact/hooks';
import type { QueueRow, QueuesResponse } from '../api/api-types';
import { requestJson } from '../api/http-client';
import { live } from '../api/live-data';
import { useLive } from '../api/use-live';
import { formatDateTime } from '../domain/format';
import { queuePolicyBody } from '../domain/queue-policy';
import { Empty, FieldError, LoadError, Loading, Section } from './common';

export function QueuesView() {
  const q = useLive<QueuesResponse>('/api/queues', 3000);
  return (
    <main>
      <Section title="Queues: ordering policy, placement and limits" wide>
        <LoadError error={q.error} what="queues" />
        {!q.data ? (
          <Loading what="queues" />
        ) : !q.data.queues.length ? (
          <Empty>no queues yet: a queue appears with its first task</Empty>
        ) : (
          <table id="queues">
            <thead>
              <tr>
                <th>queue</th>
                <th>queued</th>
                <th>running</th>
                <th>policy</th>
                <th>placement</th>
                <th>max concurrency</th>
                <th>changed</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.data.queues.map((row) => (
                <QueueEditor key={row.queue} row={row} policies={q.data!.policies} placements={q.data!.placements} defaultPolicy={q.data!.defaultPolicy} />
              ))}
            </tbody>
          </table>
        )}
        <p class="muted small">Executors pick up a change within a second. An empty max concurrency means no limit.</p>
      </Section>
    </main>
  );
}

function QueueEditor({ row, policies, placements, defaultPolicy }: { row: QueueRow; policies: string[]; placements: string[]; defaultPolicy: string }) {
  const [policy, setPolicy] = useState(row.policy ?? defaultPolicy);
  const [placement, setPlacement] = useState(row.placement ?? 'least-loaded');
  const [maxConcurrent, setMaxConcurrent] = useState(row.maxConcurrent == null ? '' : String(row.maxConcurrent));
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);
  const save = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    setSaved(false);
    const body = queuePolicyBody({ policy, placement, maxConcurrent }, row);
    if (!body.ok) return setError(body.message);
    try {
      await requestJson(`/api/queues/${encodeURIComponent(row.queue)}/policy`, { method: 'PUT', body: body.value });
      setSaved(true);
      live.invalidate('/api/queues');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const formId = `queue-form-${row.queue}`;
  return (
    <tr data-queue={row.queue}>
      <td>{row.queue}</td>
      <td>{row.queued}</td>
      <td>{row.running}</td>
      <td>
        <select form={formId} name="policy" value={policy} onChange={(e) => setPolicy(e.currentTarget.value)} aria-label={`policy of ${row.queue}`}>
          {policies.map((p) => (
            <option key={p} value={p}>
              {p}
              {row.policy === null && p === defaultPolicy ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </td>
      <td>
        <select form={formId} name="placement" value={placement} onChange={(e) => setPlacement(e.currentTarget.value)} aria-label={`placement of ${row.queue}`}>
          {placements.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input
          form={formId}
          name="maxConcurrent"
          class="narrow"
          inputMode="numeric"
          placeholder="no limit"
          value={maxConcurrent}
          onInput={(e) => setMaxConcurrent(e.currentTarget.value)}
          aria-label={`max concurrency of ${row.queue}`}
          aria-describedby={`${formId}-error`}
        />
        <FieldError id={`${formId}-error`} message={error} />
      </td>
      <td>{row.updatedAt ? formatDateTime(row.updatedAt) : 'never (default)'}</td>
      <td>
        <form id={formId} onSubmit={save}>
          <button type="submit">Save</button>
          {saved ? <span class="ok small"> saved</span> : null}
        </form>
      </td>
    </tr>
  );
}
