// Wakes this process's sender when something was queued, so a message goes out in moments rather than at the
// next tick. Process-wide (the SvelteKit bundle and server/index.ts each load this module); without a sender
// running (tests, `npm run dev`), nothing happens and the rows wait for one.
const KEY = Symbol.for('sheaf.deliveries.kick');
type Holder = typeof globalThis & { [KEY]?: () => void };

export function setKick(fn: (() => void) | undefined): void {
  (globalThis as Holder)[KEY] = fn;
}

export function kickDeliveries(): void {
  (globalThis as Holder)[KEY]?.();
}
