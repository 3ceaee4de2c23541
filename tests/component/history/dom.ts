// Finding and driving elements in a component test's DOM as a person would: buttons by their accessible name,
// clicks that flush Svelte's updates, and waiting for what a click started (fetches answered through promises).
import { flushSync } from 'svelte';
import { vi } from 'vitest';

/** A button's accessible name, near enough: its aria-label, else its text without aria-hidden parts. */
function nameOf(b: HTMLElement): string {
  const label = b.getAttribute('aria-label');
  if (label) return label;
  const copy = b.cloneNode(true) as HTMLElement;
  copy.querySelectorAll('[aria-hidden="true"]').forEach((n) => n.remove());
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** The button whose accessible name is `name`. */
export function button(root: ParentNode, name: string | RegExp): HTMLButtonElement {
  const buttons = [...root.querySelectorAll<HTMLButtonElement>('button')];
  const found = buttons.find((b) => {
    const shown = nameOf(b);
    return typeof name === 'string' ? shown === name : name.test(shown);
  });
  if (!found)
    throw new Error(`No button "${String(name)}" among: ${buttons.map((b) => b.textContent).join(' | ')}`);
  return found;
}
export const hasButton = (root: ParentNode, name: string | RegExp) => {
  try {
    button(root, name);
    return true;
  } catch {
    return false;
  }
};

export function click(el: HTMLElement) {
  el.click();
  flushSync();
}

/** Waits for the fetches a click started (the versions server answers at once, but through promises). */
export async function until<T>(fn: () => T): Promise<NonNullable<T>> {
  return vi.waitFor(
    () => {
      flushSync();
      const value = fn();
      if (value === null || value === undefined || value === false) throw new Error('not yet');
      return value as NonNullable<T>;
    },
    { timeout: 2000, interval: 5 }
  );
}

export const q = <T extends Element = HTMLElement>(root: ParentNode, sel: string) =>
  root.querySelector<T>(sel);
export const all = (root: ParentNode, sel: string) => [...root.querySelectorAll<HTMLElement>(sel)];
export const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
