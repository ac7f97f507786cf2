// Auth-ready shell. The server side (POST /api/session { key } → HttpOnly SameSite=Strict cookie;
// DELETE /api/session) comes with the security work; until then the API never answers 401 and the
// app stays 'open'. The key lives only in the login form's input until the POST is sent: never in a
// URL, localStorage or sessionStorage.
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

export async function signOut(): Promise<void> {
  await requestJson<unknown>('/api/session', { method: 'DELETE' });
  set('required');
}
