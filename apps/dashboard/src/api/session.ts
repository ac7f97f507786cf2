// Sign-in: POST /api/session { key } → HttpOnly SameSite=Strict cookie; DELETE /api/session clears it;
// GET /api/session says whether the cookie is still good. Any 401 shows the login view. The key lives
// only in the login form's input until the POST is sent: never in a URL, localStorage or sessionStorage.
// 'open': not known yet (or a server with KAIROS_AUTH=off, where GET /api/session answers without a key).
import { onUnauthorized, requestJson } from './http-client';
import { live } from './live-data';

export type AuthState = 'open' | 'required' | 'signed-in';

let state: AuthState = 'open';
const listeners = new Set<(s: AuthState) => void>();

function set(next: AuthState): void {
  if (next === state) return;
  state = next;
  if (next === 'required') live.pause();
  for (const l of listeners) l(state);
}

export const authState = (): AuthState => state;

export function onAuthChange(l: (s: AuthState) => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

onUnauthorized(() => set('required'));

/** Exchanges an API key for the session cookie; rejects with the server's message. */
export async function signIn(key: string): Promise<void> {
  await requestJson<unknown>('/api/session', { method: 'POST', body: { key } });
  set('signed-in');
  live.resume();
}

/** At page load: a valid cookie means signed in (the sign-out button shows); a 401 shows the login view. */
export async function checkSession(): Promise<void> {
  try {
    const who = await requestJson<{ keyId: string | null }>('/api/session');
    if (who.keyId) set('signed-in');
  } catch {
    // 401 already switched to 'required'; a network error is shown by the live views.
  }
}

export async function signOut(): Promise<void> {
  await requestJson<unknown>('/api/session', { method: 'DELETE' });
  set('required');
}
