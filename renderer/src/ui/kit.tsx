import { useId, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes } from 'react';
import type { ApiError } from '../api/client';

export function Field(props: { label: string; hint?: string; error?: string; children: (id: string, describedBy?: string) => ReactNode }) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errId = props.error ? `${id}-err` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, [hintId, errId].filter(Boolean).join(' ') || undefined)}
      {props.hint && <span id={hintId} className="hint">{props.hint}</span>}
      {props.error && <span id={errId} className="error" role="alert">{props.error}</span>}
    </div>
  );
}

export function TextField({ label, hint, error, ...input }: { label: string; hint?: string; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, describedBy) => <input id={id} aria-describedby={describedBy} aria-invalid={error ? true : undefined} {...input} />}
    </Field>
  );
}

export function SelectField({ label, hint, error, children, ...select }: { label: string; hint?: string; error?: string; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, describedBy) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={error ? true : undefined} {...select}>
          {children}
        </select>
      )}
    </Field>
  );
}

/** Shows an error's message; field errors are shown beside their field instead when a form handles them. */
export function ErrorBanner({ error }: { error?: ApiError | string }) {
  if (!error) return null;
  return <div className="banner error" role="alert">{typeof error === 'string' ? error : error.message}</div>;
}

export function EmptyState({ icon, title, children }: { icon: ReactNode; title: string; children: ReactNode }) {
  return (
    <div className="empty">
      {icon}
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function Brand() {
  return (
    <div className="brand">
      <span className="mark" aria-hidden="true">P</span>
      <span>Penny</span>
    </div>
  );
}

/** Common IANA zones for North American c-stores first; any other valid zone can be typed. */
export const COMMON_ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Toronto',
  'America/Vancouver',
  'America/Puerto_Rico',
  'Europe/London',
  'UTC',
];

export const guessZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'America/Chicago';

/** Maps an ApiError to a field name → message map for inline errors. */
export function fieldErrors(e: ApiError | undefined): Record<string, string> {
  if (!e || e.code !== 'invalid_input') return {};
  const d = e.details as { field: string; message: string }[] | { field?: string } | undefined;
  if (Array.isArray(d)) return Object.fromEntries(d.map((x) => [x.field, x.message]));
  if (d?.field) return { [d.field]: e.message };
  return {};
}
