/**
 * The key (or an identity provider's JWT): taken once from `#token=<key>`
 * (then wiped from the address bar and history entry), or typed into the
 * sign-in form; kept in
 * sessionStorage (gone when the tab closes), never put in a URL.
 */
const STORAGE_KEY = 'gaitwatch.token';

export function currentToken() {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** @param {string} token */
export function storeToken(token) {
  sessionStorage.setItem(STORAGE_KEY, token.trim());
}

export function clearToken() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * Plausible shape of what the API takes as a bearer, checked before sending
 * it anywhere: an API key (`gw_` + base64url) or, where the server accepts
 * an identity provider's tokens (API_JWT_*), a JWT (three base64url parts).
 * @param {string} text
 */
export function looksLikeToken(text) {
  const t = text.trim();
  return /^gw_[A-Za-z0-9_-]{8,200}$/.test(t) || (t.length <= 8192 && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(t));
}

/**
 * Moves a `#token=…` fragment into sessionStorage and removes it from the
 * address bar (replaceState: no history entry keeps it). Returns whether a token was taken.
 */
export function takeTokenFromFragment() {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (match === null) return false;
  let token = '';
  try {
    token = decodeURIComponent(match[1] ?? '');
  } catch {
    token = '';
  }
  history.replaceState(null, '', `${location.pathname}#/`);
  if (!looksLikeToken(token)) return false;
  storeToken(token);
  return true;
}
