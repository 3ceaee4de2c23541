// Every keyboard shortcut of a notebook, in one table: it drives the command-mode key handler, the "Keyboard
// shortcuts" help and the tooltips of buttons that do the same thing, so the three cannot drift apart.
// Command mode is a selected cell without its editor focused (Esc); editor keys work while typing.

export type CommandId =
  | 'run-and-advance'
  | 'edit'
  | 'select-previous'
  | 'select-next'
  | 'move-up'
  | 'move-down'
  | 'insert-above'
  | 'insert-below'
  | 'delete'
  | 'make-sql'
  | 'make-text'
  | 'undo'
  | 'redo'
  | 'leave-editor'
  | 'toggle-wrap';

/** What a binding looks at in a key event (a KeyboardEvent has all of these). */
export type KeyPress = {
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
};

export type Binding = {
  id: CommandId;
  /** As shown to people, one entry per alternative: "Alt+↑", "d d". */
  keys: string[];
  description: string;
  /** 'command': a selected cell, editor not focused; 'editor': while typing in a cell. */
  when: 'command' | 'editor';
  /** Whether it changes the notebook (so viewers do not get it). */
  edits: boolean;
  /** Pressed twice within a moment (d d). */
  twice?: boolean;
  /** CodeMirror's name for the key, for editor bindings. */
  editorKey?: string;
  matches(e: KeyPress): boolean;
};

const plain = (e: KeyPress) => !e.ctrlKey && !e.metaKey && !e.altKey;
const mod = (e: KeyPress) => e.ctrlKey || e.metaKey;

export const KEYMAP: readonly Binding[] = [
  {
    id: 'run-and-advance',
    keys: ['Shift+Enter'],
    description: 'run the cell and go to the next one (a new one at the end)',
    when: 'command',
    edits: false,
    matches: (e) => e.key === 'Enter' && e.shiftKey
  },
  {
    id: 'edit',
    keys: ['Enter'],
    description: 'edit the selected cell',
    when: 'command',
    edits: false,
    matches: (e) => e.key === 'Enter' && !e.shiftKey && plain(e)
  },
  {
    id: 'move-up',
    keys: ['Alt+↑'],
    description: 'move the cell up',
    when: 'command',
    edits: true,
    matches: (e) => e.key === 'ArrowUp' && e.altKey
  },
  {
    id: 'move-down',
    keys: ['Alt+↓'],
    description: 'move the cell down',
    when: 'command',
    edits: true,
    matches: (e) => e.key === 'ArrowDown' && e.altKey
  },
  {
    id: 'select-previous',
    keys: ['↑', 'k'],
    description: 'select the previous cell',
    when: 'command',
    edits: false,
    matches: (e) => (e.key === 'ArrowUp' || e.key === 'k') && plain(e)
  },
  {
    id: 'select-next',
    keys: ['↓', 'j'],
    description: 'select the next cell',
    when: 'command',
    edits: false,
    matches: (e) => (e.key === 'ArrowDown' || e.key === 'j') && plain(e)
  },
  {
    id: 'insert-above',
    keys: ['a'],
    description: 'insert a cell above',
    when: 'command',
    edits: true,
    matches: (e) => e.key === 'a' && plain(e)
  },
  {
    id: 'insert-below',
    keys: ['b'],
    description: 'insert a cell below',
    when: 'command',
    edits: true,
    matches: (e) => e.key === 'b' && plain(e)
  },
  {
    id: 'delete',
    keys: ['d d'],
    description: 'delete the cell',
    when: 'command',
    edits: true,
    twice: true,
    matches: (e) => e.key === 'd' && plain(e)
  },
  {
    id: 'make-sql',
    keys: ['y'],
    description: 'make it a SQL cell',
    when: 'command',
    edits: true,
    matches: (e) => e.key === 'y' && plain(e)
  },
  {
    id: 'make-text',
    keys: ['m'],
    description: 'make it a text cell',
    when: 'command',
    edits: true,
    matches: (e) => e.key === 'm' && plain(e)
  },
  {
    id: 'redo',
    keys: ['Shift+Ctrl+Z', 'Ctrl+Y'],
    description: 'redo your own change',
    when: 'command',
    edits: true,
    matches: (e) => (e.key.toLowerCase() === 'z' && mod(e) && e.shiftKey) || (e.key === 'y' && mod(e))
  },
  {
    id: 'undo',
    keys: ['z', 'Ctrl+Z'],
    description: 'undo your own change (only yours: co-editors keep theirs)',
    when: 'command',
    edits: true,
    matches: (e) => e.key === 'z' && !e.shiftKey
  },
  {
    id: 'run-and-advance',
    keys: ['Shift+Enter'],
    description: 'run the cell and go to the next one',
    when: 'editor',
    edits: false,
    editorKey: 'Shift-Enter',
    matches: (e) => e.key === 'Enter' && e.shiftKey
  },
  {
    id: 'leave-editor',
    keys: ['Esc'],
    description: 'leave the editor for command mode',
    when: 'editor',
    edits: false,
    editorKey: 'Escape',
    matches: (e) => e.key === 'Escape'
  },
  {
    id: 'toggle-wrap',
    keys: ['Alt+Z'],
    description: 'wrap long lines on / off',
    when: 'editor',
    edits: false,
    editorKey: 'Alt-z',
    matches: (e) => e.key.toLowerCase() === 'z' && e.altKey
  }
];

/**
 * The command a key press means in command mode, or null. `twice`: the same key was pressed just before (for
 * "d d"); a first press of such a key is 'pending', so the caller can remember it.
 */
export function commandFor(
  e: KeyPress,
  opts: { canWrite: boolean; twice: boolean }
): CommandId | 'pending' | null {
  const b = KEYMAP.find((k) => k.when === 'command' && (opts.canWrite || !k.edits) && k.matches(e));
  if (!b) return null;
  if (b.twice && !opts.twice) return 'pending';
  return b.id;
}

/** A button's tooltip with its shortcut: "Move cell up (Alt+↑)". */
export function withShortcut(text: string, id: CommandId, when: Binding['when'] = 'command'): string {
  const b = KEYMAP.find((k) => k.id === id && k.when === when);
  return b ? `${text} (${b.keys.join(' or ')})` : text;
}

/** The CodeMirror key name of an editor binding. */
export function editorKey(id: CommandId): string {
  const key = KEYMAP.find((k) => k.id === id && k.when === 'editor')?.editorKey;
  if (!key) throw new Error(`No editor key for ${id}`);
  return key;
}
