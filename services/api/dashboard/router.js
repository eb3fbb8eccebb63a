/**
 * Hash routes (the page is one document; the server serves only `/`):
 * `#/` live, `#/session/<athleteId>/<sessionId>` review, `#/runner`, `#/coach`, `#/rtr` (return to run), `#/rtr/<athleteId>`.
 */

/** @param {string} hash @returns {{ view: 'live' | 'session' | 'runner' | 'coach' | 'rtr' | 'rtr-athlete', athleteId?: string, sessionId?: string }} */
export function parseRoute(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '');
  const decode = (p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  };
  if (parts[0] === 'session' && parts.length === 3) {
    const athleteId = decode(parts[1]);
    const sessionId = decode(parts[2]);
    if (athleteId !== '' && sessionId !== '') return { view: 'session', athleteId, sessionId };
  }
  if (parts[0] === 'rtr' && parts.length === 2) {
    const athleteId = decode(parts[1]);
    if (athleteId !== '') return { view: 'rtr-athlete', athleteId };
  }
  if (parts[0] === 'rtr') return { view: 'rtr' };
  if (parts[0] === 'runner') return { view: 'runner' };
  if (parts[0] === 'coach') return { view: 'coach' };
  return { view: 'live' };
}
