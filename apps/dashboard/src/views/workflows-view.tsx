import { useState } from 'preact/hooks';
import { itemsOf, type Page, type WorkflowSummary, type WorkflowView } from '../api/api-types';
import { requestJson } from '../api/http-client';
import { live } from '../api/live-data';
import { useLive } from '../api/use-live';
import { formatClock, formatDateTime, formatDuration, shortId } from '../domain/format';
import { href, type Route } from '../domain/routes';
import { WORKFLOW_EXAMPLE, parseWorkflowText } from '../domain/workflow-input';
import { Empty, FieldError, Link, LoadError, Loading, Pill, Section } from './common';

type WorkflowsRoute = Extract<Route, { name: 'workflows' }>;
const STATUSES = ['running', 'succeeded', 'failed', 'cancelled'];

export function WorkflowsView({ route }: { route: WorkflowsRoute }) {
  const path = `/api/workflows?limit=100${route.status ? `&status=${route.status}` : ''}`;
  const page = useLive<Page<WorkflowSummary>>(path, 2000);
  const list = { data: itemsOf(page.data), error: page.error };
  return (
    <main>
      <Section title="Submit a workflow" wide>
        <SubmitWorkflowForm />
      </Section>
      <Section
        title="Workflows"
        wide
        actions={
          <select id="wf-filter-status" value={route.status} onChange={(e) => (location.hash = href({ name: 'workflows', status: e.currentTarget.value }))}>
            <option value="">any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        }
      >
        <LoadError error={list.error} what="workflows" />
        {!list.data ? (
          <Loading what="workflows" />
        ) : !list.data.length ? (
          <Empty>no workflows yet</Empty>
        ) : (
          <table id="workflows">
            <thead>
              <tr>
                <th>id</th>
                <th>name</th>
                <th>status</th>
                <th>tasks</th>
                <th>run</th>
                <th>created</th>
                <th>took</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((w) => (
                <tr key={w.id} data-id={w.id}>
                  <td>
                    <Link to={{ name: 'workflow', id: w.id }}>
                      <code>{shortId(w.id)}</code>
                    </Link>
                  </td>
                  <td>
                    <Link to={{ name: 'workflow', id: w.id }}>{w.name}</Link>
                  </td>
                  <td>
                    <Pill status={w.status} />
                  </td>
                  <td class="counts-inline">
                    {Object.entries(w.counts).map(([s, n]) => (
                      <span key={s} class={`pill s-${s}`}>
                        {n} {s.replace('_', ' ')}
                      </span>
                    ))}
                  </td>
                  <td>{w.generation}</td>
                  <td>{formatDateTime(w.createdAt)}</td>
                  <td>{w.finishedAt ? formatDuration(Date.parse(w.finishedAt) - Date.parse(w.createdAt)) : `since ${formatClock(w.createdAt)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </main>
  );
}

/** JSON or YAML in a textarea; a parse error or the server's 400 message shows under it. */
export function SubmitWorkflowForm() {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    const parsed = await parseWorkflowText(text);
    if (!parsed.ok) return setError(parsed.message);
    setBusy(true);
    try {
      const w = await requestJson<WorkflowView>('/api/workflows', { method: 'POST', body: parsed.value });
      setText('');
      live.invalidate('/api/workflows');
      location.hash = href({ name: 'workflow', id: w.id });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form id="wf-form" onSubmit={submit}>
      <textarea
        id="wf-text"
        name="workflow"
        rows={10}
        spellcheck={false}
        aria-label="workflow as JSON or YAML"
        aria-describedby="wf-error"
        placeholder={WORKFLOW_EXAMPLE}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <div class="form-row">
        <button type="submit" disabled={busy}>
          Submit workflow
        </button>
        <button type="button" class="link" onClick={() => setText(WORKFLOW_EXAMPLE)}>
          insert example
        </button>
        <span class="muted small">
          tasks with <code>key</code>, <code>run</code>, <code>dependsOn</code> (or <code>inputs</code>/<code>outputs</code> files) — JSON or YAML
        </span>
      </div>
      <FieldError id="wf-error" message={error} />
    </form>
  );
}
