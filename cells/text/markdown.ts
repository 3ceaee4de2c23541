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

export function markdownToSafeHtml(source: string, purify: DOMPurify): string {
  // Without a DOM, DOMPurify hands its input back unchanged: never let that pass for sanitised.
  if (!purify.isSupported) throw new Error('Markdown can only be rendered where there is a DOM to clean it.');
  const html = marked.parse(source) as string;
  return withHooks(purify).sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style']
  });
}
