/** Parses `90s`, `10m`, `1h`, `1h30m` or a bare number of seconds into seconds. */
export function parseDurationS(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const re = /(\d+(?:\.\d+)?)(h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (const m of trimmed.matchAll(re)) {
    total += Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
    matched += m[0].length;
  }
  if (matched === 0 || matched !== trimmed.length) {
    throw new RangeError(`duration ${JSON.stringify(text)} is not understood: use e.g. 90s, 10m, 1h or 1h30m`);
  }
  return total;
}
