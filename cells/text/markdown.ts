// Markdown → safe HTML for text cells, reports and published dashboards: marked (GitHub-flavoured), then
// DOMPurify, which removes scripts, event handlers and javascript: URLs. Links open in a new tab without a handle
// on the page. The DOMPurify instance is passed in: the browser's is bound to its window, the server's to jsdom.
import type { DOMPurify } from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const hooked = new WeakSet<DOMPurify>();

function withHooks(purify: DOMPurify): DOMPurify {
  if (!hooked.has(purify)) {
    purify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.getAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
      if (node.tagName === 'IMG') node.setAttribute('loading', 'lazy');
    });
    hooked.add(purify);
  }
  return purify;
}

/** Text beyond these is shown as typed, not formatted: marked's work grows much faster than its input (800
 * nested list levels, 640 KB, took 3 s; 3,000 levels ran a server out of memory; 20,000 quote markers overflow
 * its stack), and text is formatted on the server when a dashboard is published and in every co-editor's tab. */
export const MARKDOWN_LIMIT_CHARS = 100_000;
/** Leading spaces of a line (a tab counts 4): about 60 levels of nested lists. */
const MAX_INDENT = 128;
/** Quote markers (`>`) at the start of a line. */
const MAX_QUOTES = 32;
/** Raw HTML tags: cleaning 39,000 nested `<div>`s took DOMPurify 46 s. Notes use a handful. */
const MAX_TAGS = 1_000;
/** Table cell separators: a table's cost is per cell (500 columns × 97 rows took 2.4 s to clean). */
const MAX_PIPES = 10_000;

/** Why `source` is too large or too deeply nested to format, or null when it is fine. */
export function tooComplexToFormat(source: string): string | null {
  if (source.length > MARKDOWN_LIMIT_CHARS) {
    return `This text is longer than ${MARKDOWN_LIMIT_CHARS.toLocaleString('en-US')} characters, so it is shown unformatted.`;
  }
  if ((source.match(/\|/g)?.length ?? 0) > MAX_PIPES) {
    return 'This text holds tables too large to format, so it is shown unformatted.';
  }
  if ((source.match(/<[a-z!/?]/gi)?.length ?? 0) > MAX_TAGS) {
    return `This text holds more than ${MAX_TAGS.toLocaleString('en-US')} HTML tags, so it is shown unformatted.`;
  }
  for (const line of source.split('\n')) {
    let indent = 0;
    let quotes = 0;
    for (const ch of line) {
      if (ch === ' ') indent += 1;
      else if (ch === '\t') indent += 4;
      else if (ch === '>') quotes += 1;
      else break;
    }
    if (indent > MAX_INDENT || quotes > MAX_QUOTES) {
      return 'This text is nested too deeply to format, so it is shown unformatted.';
    }
  }
  return null;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function unformatted(source: string, why: string): string {
  const shown = source.slice(0, MARKDOWN_LIMIT_CHARS);
  const more = shown.length < source.length ? '…' : '';
  return `<p class="markdown-unformatted"><em>${escapeHtml(why)}</em></p><pre>${escapeHtml(shown)}${more}</pre>`;
}

export function markdownToSafeHtml(source: string, purify: DOMPurify): string {
  // Without a DOM, DOMPurify hands its input back unchanged: never let that pass for sanitised.
  if (!purify.isSupported) throw new Error('Markdown can only be rendered where there is a DOM to clean it.');
  const problem = tooComplexToFormat(source);
  if (problem) return unformatted(source, problem);
  let html: string;
  try {
    html = marked.parse(source) as string;
  } catch {
    // marked recurses on nested emphasis and can run out of stack on text that passes the checks above.
    return unformatted(source, 'This text could not be formatted, so it is shown as typed.');
  }
  return withHooks(purify).sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style']
  });
}
