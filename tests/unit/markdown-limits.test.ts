// Text too large or too deeply nested to format is shown as typed: marked and DOMPurify take time (and memory)
// that grows much faster than such input, on the server when a dashboard is published and in every tab.
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { markdownToSafeHtml } from '../../cells/text/markdown';

const purify = createDOMPurify(new JSDOM('').window as unknown as Parameters<typeof createDOMPurify>[0]);
const render = (s: string) => markdownToSafeHtml(s, purify);

describe('markdown limits', () => {
  it('formats ordinary notes as before', () => {
    const html = render(
      '# Revenue\n\n- **up** 4%\n  - in `EMEA`\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |'
    );
    expect(html).toContain('<h1>Revenue</h1>');
    expect(html).toContain('<strong>up</strong>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<table>');
    expect(html).not.toContain('unformatted');
  });

  it('shows 800 levels of nested lists unformatted (marked took 3 s on them; 3,000 ran out of memory)', () => {
    const text = Array.from({ length: 800 }, (_, i) => ' '.repeat(i * 2) + '- item').join('\n');
    const html = render(text);
    expect(html).toMatch(/shown unformatted/);
    expect(html).not.toContain('<li>');
    // Short enough, but nested past what any note needs.
    const deep = Array.from({ length: 100 }, (_, i) => ' '.repeat(i * 2) + '- item').join('\n');
    expect(render(deep)).toMatch(/too deeply to format/);
  });

  it('shows 20,000 quote markers unformatted rather than overflowing the stack', () => {
    expect(render('>'.repeat(20_000) + ' x')).toMatch(/too deeply to format/);
  });

  it('shows very long text, thousands of tags or huge tables unformatted, escaped', () => {
    expect(render('a'.repeat(150_000))).toMatch(/longer than 100,000 characters/);
    const tags = render('<div>'.repeat(5_000) + '<script>alert(1)</script>');
    expect(tags).toMatch(/more than 1,000 HTML tags/);
    expect(tags).not.toContain('<script>');
    expect(tags).toContain('&lt;div&gt;');
    expect(render(('|x'.repeat(200) + '\n').repeat(60))).toMatch(/tables too large/);
  });

  it('falls back to the text when marked itself fails on nested emphasis', () => {
    const html = render('*'.repeat(30_000) + 'a' + '*'.repeat(30_000));
    expect(html).toMatch(/could not be formatted/);
  });
});
