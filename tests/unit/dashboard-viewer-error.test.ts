// What a dashboard viewer reads when a card cannot be recomputed: words written for them, never the engine's own
// message (which may name the author's tables, columns or SQL, or be a WebAssembly trap).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rawToViewer, viewerMessage, ViewerError } from '../../src/lib/dashboard/viewer-error';

afterEach(() => vi.restoreAllMocks());

describe('viewer-safe card failures', () => {
  it('never passes on a SQL error, which names the author’s tables and columns', () => {
    const raw =
      'Binder Error: Referenced column "salary_secret" not found in FROM clause! Candidate bindings: "hr.x"';
    const shown = rawToViewer(raw);
    expect(shown).toBe('This card could not be recomputed for these filter values.');
    expect(shown).not.toContain('salary_secret');
  });

  it('says when the browser ran out of memory, and when its engine failed, without the trap’s words', () => {
    expect(rawToViewer('RuntimeError: Aborted(). Could not enlarge memory')).toMatch(/ran out of memory/);
    const trap = rawToViewer('RuntimeError: function signature mismatch');
    expect(trap).toBe('Your browser could not recompute this card. Reload the page to try again.');
  });

  it('keeps messages written for viewers (the server’s refusals) as they are', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(viewerMessage(new ViewerError('region: "Mars" is not one of the choices.'))).toBe(
      'region: "Mars" is not one of the choices.'
    );
    expect(viewerMessage(new Error('Catalog Error: Table with name payroll does not exist!'))).toBe(
      'This card could not be recomputed for these filter values.'
    );
  });
});
