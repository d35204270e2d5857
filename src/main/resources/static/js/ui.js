/*
 * Shared widgets and formatting: elements (h), the one time format, money, state badges,
 * definition lists, messages, the confirmation dialog, list tables with their pager, and the
 * no-mid-word-wrap pieces (ident: an id or hash on one line, cut with an ellipsis, the whole of it
 * in the title; domainOrEmail: a domain or email that wraps only after its dots and at its @).
 * Every value from the API is put into the page as text (never as HTML).
 */

/** Builds an element: h('p', {class: 'x', onclick: f}, 'text', child). Strings become text nodes. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root) => (root || document).querySelector(sel);
export const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

export function money(m) {
  return m ? `${m.amount} ${m.currency}` : '—';
}

/**
 * The one format of every date and time the dashboard shows: UTC, labelled, ISO-like
 * ("2026-12-07 15:40 UTC"; with seconds: "2026-12-07 15:40:12 UTC"). Takes an ISO-8601
 * instant or a Date; a value that is not a time is given back as it is.
 */
export function formatInstant(value, {seconds = false} = {}) {
  const d = value instanceof Date ? value : new Date(value);
  if (isNaN(d)) return String(value);
  const iso = d.toISOString();             // always UTC: 2026-12-07T15:40:12.345Z
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)} UTC`;
}

/** A <time> showing formatInstant(iso), the exact instant in its datetime and title; '—' when none. */
export function when(iso, options) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return h('time', {datetime: iso, title: iso}, formatInstant(d, options));
}

/** An id, serial or hash on one line, cut with an ellipsis where it does not fit; the whole value in its title. */
export function ident(value, attrs) {
  if (value === null || value === undefined || value === '') return '—';
  return h('span', Object.assign({class: 'ident', title: value}, attrs || {}), String(value));
}

/**
 * A domain name or email address that may wrap only after a dot or the @, never inside a label
 * (each label is kept whole; a <wbr> after each dot), as one element with the text unchanged.
 */
export function domainOrEmail(value, attrs) {
  if (value === null || value === undefined || value === '') return '—';
  const parts = String(value).split(/(?<=[.@])/);
  return h('span', Object.assign({class: 'name'}, attrs || {}),
    parts.map((p, i) => [h('span', {}, p), i < parts.length - 1 ? h('wbr', {}) : null]));
}

export function stateBadge(state) {
  return h('span', {class: 'badge state-' + String(state).toLowerCase()}, String(state).replace('_', ' '));
}

/** A definition list of [label, value, id] rows (null rows left out; an empty value shown as '—'). */
export function dl(rows) {
  return h('dl', {class: 'fields'}, rows.filter(Boolean).map(([k, v, id]) =>
    [h('dt', {}, k), h('dd', id ? {id} : {}, v === null || v === undefined || v === '' ? '—' : v)]));
}

export function message(text, kind) {
  return h('p', {class: 'msg ' + (kind || 'info'), role: kind === 'error' ? 'alert' : 'status'}, text);
}

/** Focuses the page heading after a navigation so keyboard and screen-reader users start there. */
export function focusHeading() {
  const h1 = $('#main h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({preventScroll: true}); }
}

/**
 * A list table: {id, caption, head: [labels], rows: [{dataset, cells: [{class, content}]}]}; each
 * cell carries its column's label (data-label) for the phone layout's stacked cards.
 */
export function listTable({id, caption, head, rows}) {
  return h('table', {id, class: 'list'},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, rows.map(r => h('tr', {dataset: r.dataset},
      r.cells.map((c, i) => h('td', {'data-label': head[i], class: c.class || null}, c.content))))));
}

/** "n things" with the plural's own ending (plural(2, 'entr', 'y', 'ies')). */
export function plural(n, stem, one = '', many = 's') {
  return `${n} ${stem}${n === 1 ? one : many}`;
}

/** Number of pages of a page answer ({size, totalElements}); at least 1. */
export function pageCount({size, totalElements}) {
  return Math.max(1, Math.ceil(totalElements / size));
}

/** Previous / "Page n of m" / next: {label, page, pages, go(page), prev: [text, id], next: [text, id]}. */
export function pager({label, page, pages, go, prev, next}) {
  return h('nav', {class: 'pager', 'aria-label': label},
    h('button', {type: 'button', class: 'secondary', id: prev[1] || null, disabled: page <= 0, onclick: () => go(page - 1)}, prev[0]),
    h('span', {}, `Page ${page + 1} of ${pages}`),
    h('button', {type: 'button', class: 'secondary', id: next[1] || null, disabled: page + 1 >= pages, onclick: () => go(page + 1)}, next[0]));
}

/**
 * Asks in a dialog (title, what will happen, e.g. the amount held or released); resolves true when
 * confirmed. extra: form controls shown above the buttons (read by the caller after it resolves).
 */
export function confirmDialog(title, text, yesLabel, noLabel, extra) {
  const d = $('#confirm');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-yes').textContent = yesLabel;
  $('#confirm-no').textContent = noLabel || 'Keep order';
  $('#confirm-extra').replaceChildren(...(extra ? [extra] : []));
  d.returnValue = '';
  return new Promise((resolve) => {
    d.addEventListener('close', () => resolve(d.returnValue === 'yes'), {once: true});
    d.showModal();
    $('#confirm-no').focus();
  });
}
