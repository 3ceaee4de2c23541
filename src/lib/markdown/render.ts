// Markdown → safe HTML in the browser (DOMPurify bound to this window); see cells/text/markdown.ts.
// marked and DOMPurify are a chunk of their own, requested the moment this module runs: the notebook page's own
// code no longer waits for them, and they have almost always arrived before its cells are shown. Until they have,
// the text is shown as typed (escaped), and whatever rendered it renders again once they are there.
import { createSubscriber } from 'svelte/reactivity';
import { browser } from '$app/environment';

type Render = (source: string) => string;
let render: Render | null = null;
let loaded = () => {};

const subscribe = createSubscriber((update) => {
  loaded = update;
  return () => (loaded = () => {});
});

// On the server (pages are rendered there, text cells are not) there is no window for DOMPurify: never loaded.
const ready: Promise<Render> = browser
  ? Promise.all([import('dompurify'), import('$cells/text/markdown')]).then(
      ([{ default: DOMPurify }, { markdownToSafeHtml }]) => {
        render = (source) => markdownToSafeHtml(source, DOMPurify);
        loaded();
        return render;
      }
    )
  : new Promise<Render>(() => {});
ready.catch((e: unknown) => console.error('The markdown renderer could not be loaded:', e));

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Safe HTML for `source`; before the renderer has loaded, the text as typed (and, read in a template or
 * $derived, the HTML again once it has). */
export function renderMarkdown(source: string): string {
  if (render) return render(source);
  subscribe();
  return `<p style="white-space: pre-wrap">${escape(source)}</p>`;
}

/** Safe HTML for `source`, waiting for the renderer if need be (reports). */
export async function renderMarkdownLoaded(source: string): Promise<string> {
  return (await ready)(source);
}
