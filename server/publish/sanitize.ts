// Cleaning user content on the server, for published dashboards: DOMPurify needs a DOM, so it gets one from jsdom
// (created once). Markdown goes through the same code as in the browser; Vega's SVG is cleaned too, so nothing a
// spec puts in a chart (links, text, attributes) can carry script into the page.
import createDOMPurify, { type DOMPurify } from 'dompurify';
import { JSDOM } from 'jsdom';
import { markdownToSafeHtml } from '../../cells/text/markdown';

let purifier: DOMPurify | undefined;

function purify(): DOMPurify {
  purifier ??= createDOMPurify(new JSDOM('').window as unknown as Parameters<typeof createDOMPurify>[0]);
  return purifier;
}

export const markdownHtml = (source: string): string => markdownToSafeHtml(source, purify());

export function cleanSvg(svg: string): string {
  return purify().sanitize(svg, {
    USE_PROFILES: { svg: true, svgFilters: true },
    FORBID_TAGS: ['a', 'foreignObject', 'image', 'use', 'style'],
    // Vega writes style only for blend modes and cursors; a spec could smuggle url(…) into it and make viewers'
    // browsers contact another host.
    FORBID_ATTR: ['style'],
    ADD_ATTR: ['aria-label', 'aria-roledescription', 'role', 'tabindex']
  });
}
