// Markdown → safe HTML for text cells and reports: marked (GitHub-flavoured) then DOMPurify, which removes
// scripts, event handlers and javascript: URLs. Links open in a new tab without a handle on this page.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: false, async: false });

let hooked = false;
function purifier() {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.getAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
      if (node.tagName === 'IMG') node.setAttribute('loading', 'lazy');
    });
    hooked = true;
  }
  return DOMPurify;
}

export function renderMarkdown(source: string): string {
  // Without a DOM, DOMPurify hands its input back unchanged: never let that pass for sanitised.
  if (!DOMPurify.isSupported) throw new Error('Markdown can only be rendered in a browser.');
  const html = marked.parse(source) as string;
  return purifier().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style']
  });
}
