// The one table of shortcuts: what each key press means, for editors and viewers, and what the help says.
import { describe, expect, it } from 'vitest';
import { commandFor, editorKey, KEYMAP, withShortcut, type KeyPress } from '../../src/lib/keys/keymap';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods
});
const editor = { canWrite: true, twice: false };

describe('commandFor', () => {
  it('maps command-mode keys as the help lists them', () => {
    expect(commandFor(press('Enter', { shiftKey: true }), editor)).toBe('run-and-advance');
    expect(commandFor(press('Enter'), editor)).toBe('edit');
    expect(commandFor(press('ArrowUp', { altKey: true }), editor)).toBe('move-up');
    expect(commandFor(press('ArrowUp'), editor)).toBe('select-previous');
    expect(commandFor(press('j'), editor)).toBe('select-next');
    expect(commandFor(press('a'), editor)).toBe('insert-above');
    expect(commandFor(press('b'), editor)).toBe('insert-below');
    expect(commandFor(press('m'), editor)).toBe('make-text');
    expect(commandFor(press('y'), editor)).toBe('make-sql');
    expect(commandFor(press('y', { ctrlKey: true }), editor)).toBe('redo');
    expect(commandFor(press('Z', { ctrlKey: true, shiftKey: true }), editor)).toBe('redo');
    expect(commandFor(press('z'), editor)).toBe('undo');
    expect(commandFor(press('a', { ctrlKey: true }), editor)).toBeNull(); // select-all stays the browser's
    expect(commandFor(press('q'), editor)).toBeNull();
  });

  it('deletes only on d pressed twice', () => {
    expect(commandFor(press('d'), editor)).toBe('pending');
    expect(commandFor(press('d'), { canWrite: true, twice: true })).toBe('delete');
  });

  it('gives viewers only what does not change the notebook', () => {
    const viewer = { canWrite: false, twice: true };
    expect(commandFor(press('ArrowDown'), viewer)).toBe('select-next');
    expect(commandFor(press('Enter', { shiftKey: true }), viewer)).toBe('run-and-advance');
    for (const k of ['a', 'b', 'd', 'm', 'y', 'z']) expect(commandFor(press(k), viewer)).toBeNull();
    expect(commandFor(press('ArrowUp', { altKey: true }), viewer)).toBeNull();
  });
});

describe('the table', () => {
  it('has no key press that two command-mode bindings both claim', () => {
    const command = KEYMAP.filter((k) => k.when === 'command');
    for (const key of ['Enter', 'ArrowUp', 'ArrowDown', 'a', 'b', 'd', 'j', 'k', 'm', 'y', 'z', 'Z']) {
      for (const mods of [{}, { shiftKey: true }, { altKey: true }, { ctrlKey: true }]) {
        const claimed = new Set(command.filter((k) => k.matches(press(key, mods))).map((k) => k.id));
        expect(
          claimed.size,
          `${key} ${JSON.stringify(mods)}: ${[...claimed].join(', ')}`
        ).toBeLessThanOrEqual(1);
      }
    }
  });

  it('writes tooltips and editor keys from the same entries', () => {
    expect(withShortcut('Move cell up', 'move-up')).toBe('Move cell up (Alt+↑)');
    expect(withShortcut('Run', 'run-and-advance', 'editor')).toBe('Run (Shift+Enter)');
    expect(editorKey('leave-editor')).toBe('Escape');
    expect(editorKey('toggle-wrap')).toBe('Alt-z');
  });
});
