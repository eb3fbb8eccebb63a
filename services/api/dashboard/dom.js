/**
 * A tiny element builder. Text always goes in as text nodes (never
 * innerHTML), so athlete ids and alert messages cannot inject markup.
 */

/**
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs] `class`, `data-*`, aria and plain attributes; `on<event>` functions become listeners
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

/** @param {Node} el @param {...(Node | string | number | null | undefined | false)} children */
export function append(el, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** @param {Element} el @param {...(Node | string | number | null | undefined | false)} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, ...children);
}

/**
 * Saves a Blob as a file through a temporary object URL (the key stays in the fetch header, never in a link).
 * @param {Blob} blob @param {string} filename
 */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
