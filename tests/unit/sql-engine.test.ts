// One rule for where a SQL cell runs, whether read from the shared document or from its plain JSON.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { runsLocally, sqlEngine } from '../../cells/sql/engine';

function shared(engine: unknown): Y.Map<unknown> {
  const doc = new Y.Doc();
  const map = doc.getMap('config');
  if (engine !== undefined) map.set('engine', engine);
  return map;
}

describe('sqlEngine', () => {
  it('missing, empty, blank or non-text is local; anything else is a connection id', () => {
    for (const v of [undefined, '', '  ', 42, null, { id: 'x' }]) {
      expect(sqlEngine({ config: shared(v) })).toBe('local');
      expect(sqlEngine({ config: v === undefined ? {} : { engine: v } })).toBe('local');
      expect(runsLocally({ config: shared(v) })).toBe(true);
    }
    expect(sqlEngine({ config: shared('local') })).toBe('local');
    expect(sqlEngine({ config: shared('abcdefghijklmnop') })).toBe('abcdefghijklmnop');
    expect(sqlEngine({ config: { engine: 'abcdefghijklmnop' } })).toBe('abcdefghijklmnop');
    expect(runsLocally({ config: { engine: 'abcdefghijklmnop' } })).toBe(false);
  });
});
