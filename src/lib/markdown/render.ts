// Markdown → safe HTML in the browser (DOMPurify bound to this window); see cells/text/markdown.ts.
import DOMPurify from 'dompurify';
import { markdownToSafeHtml } from '$cells/text/markdown';

export const renderMarkdown = (source: string): string => markdownToSafeHtml(source, DOMPurify);
