/** Small checks shared by the athlete and coaching-settings validation (one place, so both say the same). */

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function onlyKeys(what: string, value: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) throw new TypeError(`${what}: unknown field ${JSON.stringify(key)}`);
}

export function assertNumberIn(what: string, value: unknown, range: { min: number; max: number }): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${what} ${String(value)} is not a finite number`);
  if (value < range.min || value > range.max) throw new RangeError(`${what} ${value} is outside ${range.min}–${range.max}`);
}
