// Which gradient references a drawn chart keeps inside the page (src/lib/charts/local-references.ts): Vega writes
// url(<page address>#id), and the page's address may be anything a link carried.
import { describe, expect, it } from 'vitest';
import { localReference } from '../../src/lib/charts/local-references';

describe('localReference', () => {
  it('keeps only the id of a reference into the page address', () => {
    expect(localReference('url(http://h/d/x?cat=c1#gradient_1)')).toBe('url(#gradient_1)');
    expect(localReference(`url('http://h/d/x#p_gradient_2')`)).toBe('url(#p_gradient_2)');
  });

  it('reads an address holding parentheses, quotes or a hash of its own', () => {
    expect(localReference('url(http://h/d/x?cat=Books+(new)#gradient_0)')).toBe('url(#gradient_0)');
    expect(localReference(`url(http://h/d/x?q=it's#a#gradient_3)`)).toBe('url(#gradient_3)');
  });

  it('leaves local references, colours and anything it cannot read alone', () => {
    for (const value of [
      'url(#gradient_1)',
      '#4c78a8',
      'steelblue',
      'url(http://h/d/x)',
      'url(http://h/#)',
      ''
    ])
      expect(localReference(value), value).toBeNull();
  });
});
