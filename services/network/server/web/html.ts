/** Tiny HTML helpers: every interpolated value goes through esc(); raw() marks our own markup. */
export class Raw {
  constructor(readonly html: string) {}
}
export const raw = (h: string) => new Raw(h);

export function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes name; arrays and Raw values are inlined. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Raw(out);
}
function render(v: unknown): string {
  if (v instanceof Raw) return v.html;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

export function money(cents: number, currency = 'usd'): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function page(opts: { title: string; css: 'ops' | 'portal'; nav?: Raw; body: Raw; flash?: string; error?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} — Penny</title>
<link rel="stylesheet" href="/assets/base.css">
<link rel="stylesheet" href="/assets/${opts.css}.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><span class="brand">Penny${opts.css === 'ops' ? ' Ops' : ''}</span>${opts.nav ? opts.nav.html : ''}</header>
<main id="main">
${opts.error ? `<div class="error" role="alert">${esc(opts.error)}</div>` : ''}${opts.flash ? `<div class="flash" role="status">${esc(opts.flash)}</div>` : ''}
<h1>${esc(opts.title)}</h1>
${opts.body.html}
</main>
</body>
</html>`;
}

export function csrfField(token: string): Raw {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
