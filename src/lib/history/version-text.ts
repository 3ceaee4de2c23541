// How a version is described in words: its name, its kind, who edited since the one before, and what changed.
// Plain functions, so the panel, the version view and their tests say the same thing.
import type { VersionInfo, VersionKind, VersionSummary } from './api';

/** What each kind of version is called when it has no label of its own, and beside a label. */
export const KIND_TEXT: Record<VersionKind, string> = {
  auto: 'Automatic',
  named: 'Named',
  publish: 'Published',
  restore: 'Before restore',
  assistant: 'Before the assistant regenerated'
};

/** The version's heading: a person's label ("v1"), else the server's ("Before restoring “v1”"), else its kind. */
export const versionTitle = (v: Pick<VersionInfo, 'kind' | 'label'>): string => v.label || KIND_TEXT[v.kind];

/** "2 added · 1 changed", or a sentence saying nothing in the cells changed (a title edit, a layout change). */
export function summaryText(s: VersionSummary): string {
  const parts = (
    [
      [s.added, 'added'],
      [s.changed, 'changed'],
      [s.removed, 'removed'],
      [s.moved, 'moved']
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`);
  return parts.length ? parts.join(' · ') : 'No cell changes';
}

/** "Ada", "Ada and Bob", "Ada, Bob and Cy", "Ada, Bob and 3 others"; '' when nobody edited. */
export function namesText(names: readonly string[], shown = 3): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= shown) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const rest = names.length - (shown - 1);
  return `${names.slice(0, shown - 1).join(', ')} and ${rest} others`;
}

/** The exact time, for a tooltip beside the relative one. */
export const exactTime = (iso: string): string =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
