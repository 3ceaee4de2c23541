// Text cells show inputs' values for {{name}}: as text (escaped, never markup or markdown), with names no input
// has left as typed; rendered through the same sanitising markdown code as every text cell.
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { shownValues } from '../../cells/input/value';
import { markdownToSafeHtml } from '../../cells/text/markdown';
import { renderWithInputs, textInputReferences } from '../../cells/text/input-values';

const purify = createDOMPurify(new JSDOM('').window as unknown as Parameters<typeof createDOMPurify>[0]);
const render = (md: string) => markdownToSafeHtml(md, purify);

describe('inputs in text', () => {
  const values = shownValues([
    { name: 'Region', value: 'West' },
    { name: 'period', value: { start: '2024-01-01', end: '2024-03-31' } },
    { name: 'evil', value: '<img src=x onerror=alert(1)> **not bold** _x_' },
    { name: 'picks', value: ['a', 'b'] }
  ]);

  it('puts each value where the text names it, inside the markdown around it', () => {
    const html = renderWithInputs(
      '# Sales in {{region}}\n\n**{{ Region }}** from {{period.start}} to {{period.end}}',
      values,
      render
    );
    expect(html).toContain('<h1>Sales in West</h1>');
    expect(html).toContain('<strong>West</strong> from 2024-01-01 to 2024-03-31');
    expect(renderWithInputs('chosen: {{picks}}; whole range: {{period}}', values, render)).toContain(
      'chosen: a, b; whole range: 2024-01-01 – 2024-03-31'
    );
  });

  it('shows a value as text: no markup, no markdown', () => {
    const html = renderWithInputs('note: {{evil}}', values, render);
    expect(html).toContain('note: &lt;img src=x onerror=alert(1)&gt; **not bold** _x_');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<strong>');
  });

  it('leaves references to no input, and text that only looks like a placeholder, as typed', () => {
    const html = renderWithInputs('{{nobody}} and {{region.start}} and SHEAFINPUTabcX0X', values, render);
    expect(html).toContain('{{nobody}} and {{region.start}} and SHEAFINPUTabcX0X');
    expect(textInputReferences("don't miss {{Region}} or {{period.end}}")).toEqual(['region', 'period']);
  });
});
