// Vega's bin boundaries, computed the same way Vega computes them (vega-statistics' nice-step search and
// vega-transforms' bin assignment), so a histogram aggregated in SQL has exactly the bars Vega would draw.

export type Bins = { start: number; stop: number; step: number };

/** Nice bins over [min, max]: a step of 1, 2 or 5 × 10^k giving at most `maxbins` bins. */
export function niceBins(min: number, max: number, maxbins: number): Bins {
  const base = 10;
  const logb = Math.log(base);
  const span = max - min || Math.abs(min) || 1;
  const level = Math.ceil(Math.log(maxbins) / logb);
  let step = Math.pow(base, Math.round(Math.log(span) / logb) - level);
  while (Math.ceil(span / step) > maxbins) step *= base;
  for (const div of [5, 2]) {
    const smaller = step / div;
    if (span / smaller <= maxbins) step = smaller;
  }
  const v = Math.log(step);
  const precision = v >= 0 ? 0 : ~~(-v / logb) + 1;
  const eps = Math.pow(base, -precision - 1);
  const floored = Math.floor(min / step + eps) * step;
  const start = min < floored ? floored - step : floored;
  const stop = Math.ceil(max / step) * step;
  return { start, stop: stop === start ? start + step : stop, step };
}

/** Vega's bias against floating point error when placing a value in a bin. */
const EPSILON = 1e-14;

/** SQL for the start of the bin a numeric expression falls in (values at the top edge go in the last bin). */
export function binStartSql(expr: string, b: Bins): string {
  const stop = b.start + Math.ceil((b.stop - b.start) / b.step) * b.step;
  const clamped = `least(greatest((${expr})::double, ${num(b.start)}), ${num(stop - b.step)})`;
  return `${num(b.start)} + ${num(b.step)} * floor(${EPSILON} + (${clamped} - ${num(b.start)}) / ${num(b.step)})`;
}

/** Where a value falls, in JavaScript; the tests check the SQL against it. */
export function binStart(value: number, b: Bins): number {
  const stop = b.start + Math.ceil((b.stop - b.start) / b.step) * b.step;
  const v = Math.max(b.start, Math.min(value, stop - b.step));
  return b.start + b.step * Math.floor(EPSILON + (v - b.start) / b.step);
}

const num = (n: number) => (Number.isFinite(n) ? `${n}::double` : 'null');
