// The count of native DuckDB children: someone who gives up while waiting leaves the queue and holds nothing.
import { describe, expect, it } from 'vitest';
import { Slots } from '../../server/connectors/duckdb/slots';

describe('Slots', () => {
  it('a waiter whose request goes away stops waiting, and the freed slot goes to the next one', async () => {
    const slots = new Slots(1);
    await slots.take();
    const gone = new AbortController();
    const leaving = slots.take(gone.signal);
    let stayingGot = false;
    const staying = slots.take().then(() => (stayingGot = true));
    gone.abort(new Error('the browser left'));
    await expect(leaving).rejects.toThrow('the browser left');
    slots.give();
    await staying;
    expect(stayingGot).toBe(true);
    // The one who left holds nothing: after the second gives back, a third gets in at once.
    slots.give();
    const third = await Promise.race([
      slots.take().then(() => 'got'),
      new Promise((r) => setTimeout(() => r('still waiting'), 200))
    ]);
    expect(third).toBe('got');
  });

  it('an already aborted request does not take a slot', async () => {
    const slots = new Slots(1);
    const gone = new AbortController();
    gone.abort(new Error('gone'));
    await expect(slots.take(gone.signal)).rejects.toThrow('gone');
    await slots.take(); // the only slot is still free
  });
});
