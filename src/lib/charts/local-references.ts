// Keeps a drawn chart's gradient references inside the page. Vega's SVG renderer names a gradient fill by the page's
// full address, `url(<location.href>#gradient_1)` (vega-scenegraph, for pages with a <base>). A dashboard keeps the
// viewer's filter values in its address (history.replaceState), and from then on such a fill names another
// document: Chromium fetches the old address as an SVG resource, which on a dashboard is a whole page render on our
// server, once per pick, and draws no gradient meanwhile. A fragment-only `url(#id)` always means this document
// (CSS Values), so every reference Vega writes is rewritten to one, as soon as it is written.
const ATTRIBUTES = ['fill', 'stroke'];
const SELECTOR = ATTRIBUTES.map((a) => `[${a}^="url("]:not([${a}^="url(#"])`).join(', ');

/**
 * `url(#id)` for a reference to `#id` in another address, else null. The id is what follows the last `#`: an
 * address may hold `(`, `)` or quotes (a link typed by hand), Vega's ids hold none of them.
 */
export function localReference(value: string): string | null {
  if (!value.startsWith('url(') || value.startsWith('url(#')) return null;
  const hash = value.lastIndexOf('#');
  const end = value.lastIndexOf(')');
  if (hash < 0 || end < hash) return null;
  const id = value.slice(hash + 1, end).replace(/['"\s]+$/, '');
  return /^[\w-]+$/.test(id) ? `url(#${id})` : null;
}

/** Rewrites the references under `root` now and whenever they are written again; returns the stop function. */
export function keepReferencesLocal(root: Element): () => void {
  const fix = () => {
    for (const el of root.querySelectorAll(SELECTOR))
      for (const name of ATTRIBUTES) {
        const local = localReference(el.getAttribute(name) ?? '');
        if (local) el.setAttribute(name, local);
      }
  };
  // Mutation records are delivered before the browser styles the page again, so no absolute reference is ever
  // resolved after the address changes.
  const observer = new MutationObserver(fix);
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ATTRIBUTES });
  fix();
  return () => observer.disconnect();
}
