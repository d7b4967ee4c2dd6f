/** The one stylesheet of the account pages, served at /account/style.css (the CSP allows only 'self'). */
export const STYLESHEET = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; min-height: 100vh; padding: 24px 16px;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1c2430; background: #eef1f6;
}
main {
  max-width: 28rem; margin: 0 auto; padding: 28px 24px;
  background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(16, 24, 40, .12);
}
.brand { margin: 0 0 20px; font-weight: 700; color: #2457c5; letter-spacing: .02em; }
h1 { margin: 0 0 12px; font-size: 1.5rem; line-height: 1.25; }
h2 { margin: 0 0 8px; font-size: 1rem; }
p { margin: 0 0 16px; }
a { color: #2457c5; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #f5b400; outline-offset: 2px; }
form { margin: 20px 0 0; }
.field { margin: 0 0 18px; }
label { display: block; margin: 0 0 6px; font-weight: 600; }
input[type=email], input[type=password], input[type=text] {
  display: block; width: 100%; padding: 10px 12px; font: inherit; font-size: 1rem;
  color: inherit; background: #fff; border: 1px solid #8792a2; border-radius: 6px;
}
input[aria-invalid=true] { border: 2px solid #b42318; }
.hint { margin: 6px 0 0; font-size: .875rem; color: #4b5565; }
.field-error { margin: 6px 0 0; font-size: .875rem; font-weight: 600; color: #b42318; }
button {
  display: inline-block; width: 100%; padding: 12px 16px; font: inherit; font-weight: 600;
  color: #fff; background: #2457c5; border: 0; border-radius: 6px; cursor: pointer;
}
button:hover { background: #1c469f; }
.error-summary {
  margin: 0 0 20px; padding: 12px 16px; border-left: 4px solid #b42318; background: #fef3f2; border-radius: 4px;
}
.error-summary ul { margin: 0; padding-left: 20px; }
.error-summary a { color: #b42318; font-weight: 600; }
.notice { padding: 12px 16px; border-left: 4px solid #12805c; background: #ecfdf3; border-radius: 4px; }
.muted { font-size: .875rem; color: #4b5565; }
@media (min-width: 40rem) { body { padding-top: 64px; } main { padding: 36px 40px; } }
`;
