// Tiny DOM helpers. Everything that comes from the API is put into the page
// as text nodes (textContent) — never as HTML.

let idCounter = 0;

/** A page-unique id, for binding <label for> to inputs. */
export function uid(prefix = 'f') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * h('button', {type: 'button', class: 'btn', onclick: fn}, 'Text', child, [more])
 * Attribute values are set with setAttribute (strings), event handlers with
 * addEventListener; children that are strings/numbers become text nodes.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') {
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      } else if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'dataset') {
        Object.assign(el.dataset, value);
      } else if (key === 'value' && 'value' in el) {
        // Also the default, so form.reset() returns to it.
        if ('defaultValue' in el) el.defaultValue = String(value);
        el.value = String(value);
      } else if (key === 'checked' && 'checked' in el) {
        el.defaultChecked = Boolean(value);
        el.checked = Boolean(value);
      } else if (value === true) {
        el.setAttribute(key, '');
      } else {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** A labelled form field: returns {wrap, input}. */
export function field({ label, name, type = 'text', value = '', hint, required = false, autocomplete, placeholder, attrs = {} }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h('input', {
    id, name, type, value, required, autocomplete, placeholder,
    'aria-describedby': hintId, ...attrs,
  });
  const wrap = h('div', { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
  return { wrap, input };
}

/** A checkbox with its label. */
export function checkbox({ label, name, value, checked = false, hint }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h('input', { id, name, type: 'checkbox', value, checked, 'aria-describedby': hintId });
  const wrap = h('div', { class: 'check' },
    input,
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
  return { wrap, input };
}

/** "2024-05-01T12:00:00Z" -> <time> in the viewer's local time. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', null, String(iso));
  return h('time', { datetime: d.toISOString(), title: d.toISOString() },
    d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

export function scopeList(scopes) {
  const list = Array.isArray(scopes) ? scopes : String(scopes ?? '').split(/\s+/).filter(Boolean);
  if (list.length === 0) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'chips', 'aria-label': 'Scopes' }, list.map((s) => h('li', { class: 'chip' }, s)));
}

/** "read  write" -> ["read", "write"] (deduplicated, order kept). */
export function parseScopes(text) {
  return [...new Set(String(text ?? '').split(/[\s,]+/).filter(Boolean))];
}

/** A table with a caption (visually hidden when asked), header row and the given <tbody>. */
export function table({ caption, captionHidden = false, columns, body, className }) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: ['data', className] },
      h('caption', { class: captionHidden ? 'visually-hidden' : null }, caption),
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      body));
}

export function setBusy(button, busy, busyLabel) {
  if (busy) {
    button.dataset.label = button.textContent;
    if (busyLabel) button.textContent = busyLabel;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  } else {
    if (button.dataset.label) button.textContent = button.dataset.label;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
