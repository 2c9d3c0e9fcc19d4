/* Builds and updates nodes. Server strings go in through textContent and attributes only. */

export function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Writes only when the text changed, so selections and hovering survive the 1 s refresh. */
export function setText(node, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (node.textContent !== value) node.textContent = value;
}

export function setAttr(node, name, value) {
  const text = value === null || value === undefined ? '' : String(value);
  if (node.getAttribute(name) !== text) node.setAttribute(name, text);
}

export function statusBadge(status) {
  const badge = make('span', 'badge');
  updateBadge(badge, status);
  return badge;
}

export function updateBadge(badge, status) {
  const cls = 'badge status-' + status.toLowerCase();
  if (badge.className !== cls) badge.className = cls;
  setText(badge, status);
}
