import { useState } from 'preact/hooks';
import { signIn } from '../api/session';
import { FieldError } from './common';

/** Shown when the API answers 401: trades an API key for a session cookie. */
export function LoginView() {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('key') as HTMLInputElement;
    const key = input.value.trim();
    if (!key) return setError('enter an API key');
    setBusy(true);
    setError('');
    try {
      await signIn(key);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      // The key is not kept anywhere once sent.
      input.value = '';
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <section>
        <h1>Kairos</h1>
        <p>This server needs an API key. It is exchanged for a session cookie and not stored by the page.</p>
        <form id="login" onSubmit={submit} autocomplete="off">
          <label for="api-key">API key</label>
          <input id="api-key" name="key" type="password" autocomplete="off" spellcheck={false} aria-describedby="login-error" />
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          <FieldError id="login-error" message={error} />
        </form>
      </section>
    </main>
  );
}
