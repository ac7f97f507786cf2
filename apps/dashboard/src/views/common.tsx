import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api/http-client';
import { href, type Route } from '../domain/routes';

export function Pill({ status }: { status: string }) {
  return <span class={`pill s-${status}`}>{status.replace('_', ' ')}</span>;
}

export function Link({ to, children, class: cls }: { to: Route; children: ComponentChildren; class?: string }) {
  return (
    <a href={href(to)} class={cls}>
      {children}
    </a>
  );
}

export function Section({ title, id, wide, actions, children }: { title: string; id?: string; wide?: boolean; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section id={id} class={wide ? 'wide' : undefined}>
      <div class="section-head">
        <h2>{title}</h2>
        {actions ? <div class="actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

/** A failed live resource: what failed and the server's message (never silently empty). */
export function LoadError({ error, what }: { error: ApiError | undefined; what: string }) {
  if (!error) return null;
  return (
    <p class="load-error" role="status">
      could not load {what}: {error.message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <p class="muted">loading {what}…</p>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="muted empty">{children}</p>;
}

/** A field's error, shown next to it and announced. */
export function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <div id={id} class="field-error" role="alert">
      {message}
    </div>
  );
}
