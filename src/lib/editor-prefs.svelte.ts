// A person's editor preferences, kept in this browser (not in the shared notebook: one person's wrapped lines
// should not change a co-editor's view). Long SQL wraps by default.
const WRAP_KEY = 'sheaf.wrapLines';

function stored(key: string, fallback: boolean): boolean {
  try {
    const v = localStorage.getItem(key);
    return v === null ? fallback : v === 'true';
  } catch {
    return fallback; // storage blocked (private mode, a sandboxed frame): the default, not remembered
  }
}

class EditorPrefs {
  wrapLines = $state(typeof localStorage === 'undefined' ? true : stored(WRAP_KEY, true));

  setWrapLines(on: boolean) {
    this.wrapLines = on;
    try {
      localStorage.setItem(WRAP_KEY, String(on));
    } catch {
      // not remembered; the choice holds for this page
    }
  }
}

export const editorPrefs = new EditorPrefs();
