import { useState } from 'preact/hooks';
import type { SubmitTaskInput, TaskView } from '../api/api-types';
import { requestJson } from '../api/http-client';
import { live } from '../api/live-data';
import { FieldError } from './common';

/** A shell command (run through `sh -c`), optionally on a named queue. The server's 400 shows under it. */
export function SubmitTaskForm() {
  const [cmd, setCmd] = useState('');
  const [queue, setQueue] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    setBusy(true);
    const command = cmd.trim();
    const body: SubmitTaskInput = { run: { kind: 'shell', shell: true, command: [command] }, name: command || undefined, queue: queue.trim() || undefined };
    try {
      await requestJson<TaskView>('/api/tasks', { method: 'POST', body });
      setCmd('');
      live.invalidate('/api/');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form id="submit" onSubmit={submit} class="inline-form">
      <input id="cmd" name="cmd" placeholder="echo hello" aria-label="command" aria-describedby="error" value={cmd} onInput={(e) => setCmd(e.currentTarget.value)} />
      <input id="queue" name="queue" placeholder="queue (default)" aria-label="queue" class="narrow" value={queue} onInput={(e) => setQueue(e.currentTarget.value)} />
      <button type="submit" disabled={busy}>
        Run
      </button>
      <FieldError id="error" message={error} />
    </form>
  );
}
