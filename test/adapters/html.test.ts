import test from 'ava';
import { escapeHtml, html, SafeHtml } from '../../src/adapters/html.js';

test('every interpolated value is escaped, quotes included', (t) => {
  const value = `"><script>alert('x')</script>&`;
  t.is(html`<input value="${value}">`.value, '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">');
  t.is(escapeHtml('a & b'), 'a &amp; b');
});

test('nested templates and lists are kept as markup; empty values render nothing', (t) => {
  const items = ['<a>', 'b'].map((s) => html`<li>${s}</li>`);
  t.is(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value, '<ul><li>&lt;a&gt;</li><li>b</li></ul>0');
  t.true(html`x` instanceof SafeHtml);
});
