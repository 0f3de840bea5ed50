// Number and word formatting shared by the study's report sections.
import { describe } from './stats';

/** A fraction as a percentage with one decimal ("—" when not finite). */
export const pct = (v: number): string => (Number.isFinite(v) ? (100 * v).toFixed(1) : '—');
/** "1 run", "2 runs". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
/** Mean ± sd of fractions, as percentages ("—" for none, the mean alone for one value). */
export function meanSdText(values: number[]): string {
  const d = describe(values);
  if (d.n === 0) return '—';
  return d.n < 2 ? pct(d.mean) : `${pct(d.mean)} ± ${pct(d.sd)}`;
}
