import type { FieldError } from '../../../domain/errors.js';
import { html, type SafeHtml } from '../../html.js';

/**
 * The frame every account page shares. Links and form actions are relative (every page lives at
 * /account/<name>), so the pages keep working when the app is served under a path prefix.
 */
export function layout(title: string, content: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Contacts</title>
<link rel="stylesheet" href="style.css">
</head>
<body>
<main>
<p class="brand">Contacts</p>
<h1>${title}</h1>
${content}
</main>
</body>
</html>
`;
}

export interface FieldSpec {
  name: string;
  label: string;
  type: 'email' | 'password' | 'text';
  autocomplete: string;
  value?: string;
  hint?: string;
}

/** The list of problems at the top of a form, each linking to its field. */
export function errorSummary(errors: readonly FieldError[], labels: Record<string, string>): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="error-summary" role="alert">
<h2>There is a problem</h2>
<ul>${errors.map((e) => html`<li><a href="#${e.field}">${describe(e, labels)}</a></li>`)}</ul>
</div>`;
}

/** A labelled input with its hint and its error, tied together for screen readers. */
export function field(spec: FieldSpec, errors: readonly FieldError[]): SafeHtml {
  const error = errors.find((e) => e.field === spec.name);
  const described = [spec.hint ? `${spec.name}-hint` : '', error ? `${spec.name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
<label for="${spec.name}">${spec.label}</label>
<input id="${spec.name}" name="${spec.name}" type="${spec.type}" autocomplete="${spec.autocomplete}" required${
    spec.value !== undefined ? html` value="${spec.value}"` : ''
  }${error ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}>
${spec.hint ? html`<p class="hint" id="${spec.name}-hint">${spec.hint}</p>` : ''}
${error ? html`<p class="field-error" id="${spec.name}-error">${describe(error, labels(spec))}</p>` : ''}
</div>`;
}

function labels(spec: FieldSpec): Record<string, string> {
  return { [spec.name]: spec.label };
}

/** Domain messages complete the field's label ("is required"); a message that is a sentence stands alone. */
function describe(error: FieldError, labels: Record<string, string>): string {
  if (/^[A-Z]/.test(error.message)) return error.message;
  return `${labels[error.field] ?? error.field} ${error.message}.`;
}
