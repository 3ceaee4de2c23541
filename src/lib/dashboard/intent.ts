// "About to use this": the first pointer over an element, or focus inside it (keyboard users), calls `act` once.
// Dashboards start the viewer's engine this way when someone points at a filter, so its start overlaps their choosing
// rather than following it, and viewers who only read never download it.
import type { Attachment } from 'svelte/attachments';

export function onIntent(act: () => void): Attachment<HTMLElement> {
  return (el) => {
    const once = () => {
      stop();
      act();
    };
    const stop = () => {
      el.removeEventListener('pointerenter', once);
      el.removeEventListener('focusin', once);
    };
    el.addEventListener('pointerenter', once);
    el.addEventListener('focusin', once);
    return stop;
  };
}
