/** Numbers and times as people read them. Times in the API are integer µs since the Unix epoch. */

/** @param {number} us */
export const dateOf = (us) => new Date(us / 1000);

/** Clock time, e.g. 07:42:05. @param {number} us */
export function clock(us) {
  return dateOf(us).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Date and time, e.g. 28 May, 07:42. @param {number} us */
export function when(us) {
  return dateOf(us).toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** Seconds into a run as m:ss (or h:mm:ss). @param {number} s */
export function elapsed(s) {
  if (!Number.isFinite(s)) return '–';
  const total = Math.max(0, Math.round(s));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** @param {number | null | undefined} x @param {number} digits @param {string} [unit] */
export function num(x, digits, unit = '') {
  return typeof x === 'number' && Number.isFinite(x) ? `${x.toFixed(digits)}${unit}` : '–';
}

/** Local midnight today, µs since the epoch. */
export function todayStartUs() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.getTime() * 1000;
}

/** @param {string} athleteId @param {string} sessionId */
export const sessionKey = (athleteId, sessionId) => `${athleteId}/${sessionId}`;

/** The hash route of a session's review. @param {string} athleteId @param {string} sessionId */
export const reviewHref = (athleteId, sessionId) => `#/session/${encodeURIComponent(athleteId)}/${encodeURIComponent(sessionId)}`;
