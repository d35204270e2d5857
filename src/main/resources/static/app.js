/*
 * Certhub reseller dashboard: a small hash-routed page on the REST API (/api/v1, header
 * X-Api-Key; shapes in shared/CONTRACT.md). No build step, no dependencies.
 *
 * Routes: #/signin, #/orders?state=&by=&q=&page=, #/orders/{id}, #/new, #/account?page=,
 *         #/certificates?expiring=30&domain=&state=&page=
 * The API key lives in sessionStorage only (this tab); signing out removes it.
 * Every value from the API is put into the page as text (never as HTML).
 */
'use strict';

const API = '/api/v1';
const KEY = 'certhub.apiKey';
const ACCOUNT = 'certhub.account';
const REFRESH_MS = 4000;
const PAGE_SIZE = 20;
const LEDGER_SIZE = 25;
const STATES = ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'DECLINED'];
const CERT_STATES = ['ACTIVE', 'EXPIRED', 'SUPERSEDED', 'REVOKED'];
const EXPIRING_DAYS = 30;

let timer = null;        // the current page's auto-refresh
let routeToken = 0;      // bumped on every navigation; stale async work checks it
let flash = null;        // a message carried to the next page ({text, kind})

// ---------------------------------------------------------------- DOM helpers

/** Builds an element: h('p', {class: 'x', onclick: f}, 'text', child). Strings become text nodes. */
function h(tag, attrs, ...children) {
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

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const $ = (sel, root) => (root || document).querySelector(sel);
const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
const main = () => document.getElementById('main');

function money(m) {
  return m ? `${m.amount} ${m.currency}` : '—';
}

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return h('time', {datetime: iso, title: iso}, d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'));
}

function stateBadge(state) {
  return h('span', {class: 'badge state-' + String(state).toLowerCase()}, String(state).replace('_', ' '));
}

function dl(rows) {
  return h('dl', {class: 'fields'}, rows.filter(Boolean).map(([k, v, id]) =>
    [h('dt', {}, k), h('dd', id ? {id} : {}, v === null || v === undefined || v === '' ? '—' : v)]));
}

function message(text, kind) {
  return h('p', {class: 'msg ' + (kind || 'info'), role: kind === 'error' ? 'alert' : 'status'}, text);
}

function problemText(p, status) {
  if (!p || typeof p !== 'object') return `The hub answered ${status}.`;
  const code = p.code ? ` (${p.code})` : '';
  return (p.detail || p.title || `The hub answered ${status}`) + code;
}

/** Focuses the page heading after a navigation so keyboard and screen-reader users start there. */
function focusHeading() {
  const h1 = $('#main h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({preventScroll: true}); }
}

// ---------------------------------------------------------------- API

function apiKey() { return sessionStorage.getItem(KEY); }

/**
 * Calls the API with the key. Resolves to {status, ok, data}; data is the parsed JSON (or a
 * problem). A 401 signs out (the key is no longer valid) and rejects.
 */
async function api(method, path, body, key) {
  const headers = {'X-Api-Key': key || apiKey() || '', 'Accept': 'application/json'};
  const init = {method, headers};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch (e) {
    return {status: 0, ok: false, data: {detail: 'The hub could not be reached: ' + e.message, code: 'NETWORK'}};
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (res.status === 401 && !key) {
    signOut('Your API key was not accepted any more; sign in again.', 'error');
    throw new Error('signed out');
  }
  return {status: res.status, ok: res.ok, data};
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

// ---------------------------------------------------------------- session

function signOut(text, kind) {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ACCOUNT);
  flash = text ? {text, kind: kind || 'info'} : null;
  if (location.hash === '#/signin') route(); else location.hash = '#/signin';
}

function chrome(signedIn, page) {
  $('#nav').hidden = !signedIn;
  $('#signout').hidden = !signedIn;
  const who = $('#who');
  who.hidden = !signedIn;
  who.textContent = signedIn ? 'Account: ' + (sessionStorage.getItem(ACCOUNT) || '') : '';
  for (const a of $$('#nav a')) {
    if (a.dataset.nav === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------- router

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/orders';
  const [path, qs] = raw.split('?');
  return {path, params: new URLSearchParams(qs || '')};
}

async function route() {
  clearInterval(timer);
  timer = null;
  const token = ++routeToken;
  const {path, params} = parseHash();
  const signedIn = !!apiKey();
  if (!signedIn && path !== '/signin') {
    location.hash = '#/signin';
    return;
  }
  if (signedIn && path === '/signin') {
    location.hash = '#/orders';
    return;
  }
  const m = path.match(/^\/orders\/([^/]+)$/);
  const page = path === '/signin' ? 'signin' : m ? 'orders' : path.slice(1);
  chrome(signedIn, page);
  const el = main();
  el.replaceChildren();
  const shown = flash;
  flash = null;
  try {
    if (path === '/signin') renderSignIn(el, shown);
    else if (path === '/orders') await renderOrders(el, params, token, shown);
    else if (m) await renderOrder(el, decodeURIComponent(m[1]), token, shown);
    else if (path === '/new') await renderNewOrder(el, token);
    else if (path === '/account') await renderAccount(el, params, token);
    else if (path === '/certificates') await renderCertificates(el, params, token);
    else el.append(h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '#/orders'}, 'Back to the orders')));
  } catch (e) {
    if (e.message !== 'signed out') {
      el.append(message('Something went wrong: ' + e.message, 'error'));
      console.error(e);
    }
  }
  if (token === routeToken) focusHeading();
}

function navigate(hash, note) {
  flash = note || null;
  if (location.hash === hash) route(); else location.hash = hash;
}

// ---------------------------------------------------------------- sign-in

function renderSignIn(el, shown) {
  document.title = 'Sign in · Certhub';
  const err = h('div', {id: 'signin-message', 'aria-live': 'polite'}, shown ? message(shown.text, shown.kind) : null);
  const input = h('input', {id: 'apikey', name: 'apikey', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false', 'aria-describedby': 'apikey-hint'});
  const form = h('form', {id: 'signin-form', class: 'card narrow', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    if (!key) { err.replaceChildren(message('Enter your API key.', 'error')); input.focus(); return; }
    const button = $('button', form);
    button.disabled = true;
    const r = await api('GET', '/account', undefined, key);
    button.disabled = false;
    if (r.ok) {
      sessionStorage.setItem(KEY, key);
      sessionStorage.setItem(ACCOUNT, r.data.id);
      location.hash = '#/orders';
    } else if (r.status === 401) {
      err.replaceChildren(message('That API key was not accepted.', 'error'));
      input.select();
    } else {
      err.replaceChildren(message(problemText(r.data, r.status), 'error'));
    }
  }},
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Sign in with your reseller account’s API key.'),
    h('label', {for: 'apikey'}, 'API key'),
    input,
    h('p', {id: 'apikey-hint', class: 'hint'}, 'The key is kept in this browser tab only and is removed when you sign out or close the tab.'),
    err,
    h('button', {type: 'submit', id: 'signin-button'}, 'Sign in'));
  el.append(form);
}

// ---------------------------------------------------------------- orders list

async function renderOrders(el, params, token, shown) {
  document.title = 'Orders · Certhub';
  const state = params.get('state') || '';
  const byParam = params.get('by');
  const by = byParam === 'clientReference' || byParam === 'domain' ? byParam : 'any';
  const q = params.get('q') || '';
  const page = Math.max(0, parseInt(params.get('page') || '0', 10) || 0);

  const stateSel = h('select', {id: 'filter-state', name: 'state'},
    h('option', {value: ''}, 'All states'),
    STATES.map(s => h('option', {value: s, selected: s === state}, s.replace('_', ' '))));
  const bySel = h('select', {id: 'filter-by', name: 'by'},
    h('option', {value: 'any', selected: by === 'any'}, 'Domain or reference'),
    h('option', {value: 'domain', selected: by === 'domain'}, 'Domain'),
    h('option', {value: 'clientReference', selected: by === 'clientReference'}, 'Client reference'));
  const qInput = h('input', {id: 'filter-q', name: 'q', type: 'search', value: q, autocomplete: 'off'});
  const go = (p) => {
    const hash = '#/orders' + query({state: stateSel.value, by: qInput.value.trim() ? bySel.value : '',
      q: qInput.value.trim(), page: p || ''});
    navigate(hash);
  };
  const filters = h('form', {id: 'filters', class: 'filters', role: 'search', 'aria-label': 'Filter orders',
    onsubmit: (ev) => { ev.preventDefault(); go(0); }},
    h('div', {class: 'field'}, h('label', {for: 'filter-state'}, 'State'), stateSel),
    h('div', {class: 'field'}, h('label', {for: 'filter-by'}, 'Search by'), bySel),
    h('div', {class: 'field grow'}, h('label', {for: 'filter-q'}, 'Search'), qInput),
    h('div', {class: 'field buttons'},
      h('button', {type: 'submit', id: 'filter-apply'}, 'Apply'),
      h('button', {type: 'button', class: 'secondary', onclick: () => navigate('#/orders')}, 'Clear')));
  stateSel.addEventListener('change', () => go(0));

  const results = h('div', {id: 'orders-results', 'aria-live': 'polite', 'aria-busy': 'true'}, h('p', {class: 'hint'}, 'Loading…'));
  const status = h('p', {id: 'refresh-status', class: 'hint'});
  append(el, [
    h('div', {class: 'title-row'}, h('h1', {}, 'Orders'), h('a', {class: 'button', href: '#/new', id: 'new-order-link'}, 'New order')),
    shown ? message(shown.text, shown.kind) : null,
    filters, status, results]);

  const load = async () => {
    // q matches any part of the reference or the names (GET /orders?q=&in=): "batch" finds batch-2026-0001
    const r = await api('GET', '/orders' + query({state, q, in: q && by !== 'any' ? by : '', page, size: PAGE_SIZE}));
    if (token !== routeToken) return;
    results.setAttribute('aria-busy', 'false');
    if (!r.ok) {
      results.replaceChildren(message(problemText(r.data, r.status), 'error'));
      return;
    }
    const inFlight = r.data.items.some(o => o.state === 'IN_PROGRESS');
    results.replaceChildren(ordersTable(r.data, (p) => go(p)));
    status.textContent = (inFlight ? `Orders in progress: refreshing every ${REFRESH_MS / 1000} s. ` : '')
      + 'Updated ' + new Date().toLocaleTimeString() + '.';
    status.dataset.refreshes = String((parseInt(status.dataset.refreshes || '0', 10)) + 1);
    clearInterval(timer);
    timer = inFlight ? setInterval(() => load().catch(() => {}), REFRESH_MS) : null;
  };
  await load();
}

function ordersTable(pageData, goTo) {
  const {items, page, size, totalElements} = pageData;
  const pages = Math.max(1, Math.ceil(totalElements / size));
  if (!items.length) {
    return h('p', {id: 'orders-empty', class: 'empty'}, totalElements ? 'No orders on this page.' : 'No orders match.');
  }
  const head = ['Client reference', 'Domain', 'Product', 'State', 'Vendor status', 'Price', 'Hold', 'Last update'];
  const table = h('table', {id: 'orders-table', class: 'list'},
    h('caption', {}, `${totalElements} order${totalElements === 1 ? '' : 's'} · page ${page + 1} of ${pages}`),
    h('thead', {}, h('tr', {}, head.map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, items.map(o => h('tr', {dataset: {id: o.id, ref: o.clientReference, state: o.state}},
      h('td', {'data-label': head[0]}, h('a', {href: '#/orders/' + encodeURIComponent(o.id), class: 'order-link'}, o.clientReference)),
      h('td', {'data-label': head[1], class: 'domain'}, h('span', {}, o.domain,
        o.additionalDomains && o.additionalDomains.length
          ? h('span', {class: 'hint', title: o.additionalDomains.join(', ')}, ` +${o.additionalDomains.length}`) : null)),
      h('td', {'data-label': head[2]}, o.productType),
      h('td', {'data-label': head[3], class: 'state'}, stateBadge(o.state)),
      h('td', {'data-label': head[4]}, o.vendorStatus
        || (o.lastError && o.lastError.code === 'VENDOR_UNAVAILABLE' ? h('span', {class: 'warn', title: o.lastError.detail}, 'vendor unavailable, retrying') : '—')),
      h('td', {'data-label': head[5], class: 'num'}, money(o.price)),
      h('td', {'data-label': head[6], class: 'hold'}, o.hold ? `${money(o.hold)} ${o.hold.state}` : '—'),
      h('td', {'data-label': head[7]}, when(o.updatedAt))))));
  const pager = h('nav', {class: 'pager', 'aria-label': 'Pages'},
    h('button', {type: 'button', class: 'secondary', id: 'page-prev', disabled: page <= 0, onclick: () => goTo(page - 1)}, '← Previous'),
    h('span', {}, `Page ${page + 1} of ${pages}`),
    h('button', {type: 'button', class: 'secondary', id: 'page-next', disabled: page + 1 >= pages, onclick: () => goTo(page + 1)}, 'Next →'));
  return h('div', {}, h('div', {class: 'table-wrap'}, table), pager);
}

// ---------------------------------------------------------------- order detail

async function renderOrder(el, id, token, shown) {
  document.title = 'Order · Certhub';
  const status = h('div', {id: 'action-message', 'aria-live': 'polite'}, shown ? message(shown.text, shown.kind) : null);
  const body = h('div', {id: 'order-body'});
  el.append(h('p', {class: 'back'}, h('a', {href: '#/orders'}, '← Orders')), body);
  let last = null;
  let cert = null;     // {url, name} of a downloaded certificate, kept across refreshes
  let facts = null;    // the order's newest certificate from GET /certificates?orderId= (issue 13 §1), once COMPLETED
  let factsOf = null;  // term.certificatesIssued when the facts were read

  const load = async () => {
    const r = await api('GET', '/orders/' + encodeURIComponent(id));
    if (token !== routeToken) return;
    if (!r.ok) {
      clearInterval(timer);
      body.replaceChildren(h('h1', {}, r.status === 404 ? 'Order not found' : 'Order'),
        message(r.status === 404 ? 'There is no order ' + id + ' in this account.' : problemText(r.data, r.status), 'error'));
      return;
    }
    const text = JSON.stringify(r.data);
    if (text !== last) {
      last = text;
      const focused = document.activeElement && document.activeElement.id;
      body.replaceChildren(...orderView(r.data, status, load, () => cert, (c) => { cert = c; }).filter(Boolean));
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus({preventScroll: true});
    }
    const o = r.data;
    // a reissued certificate (issue 13 §2) replaces the facts shown
    if (facts && o.term && o.term.certificatesIssued !== factsOf) { facts = null; const slot0 = $('#certificate-facts'); if (slot0) slot0.replaceChildren(); }
    if (o.state === 'COMPLETED' && !facts) {
      factsOf = o.term ? o.term.certificatesIssued : null;
      const c = await api('GET', '/certificates' + query({orderId: id, size: 1}));
      if (token !== routeToken) return;
      if (c.ok && c.data.items.length) facts = c.data.items[0];
    }
    const slot = $('#certificate-facts');
    if (slot && facts && !slot.childElementCount) {
      // after a revoke the facts are read again (the certificate's state and reason change)
      slot.append(certificateFacts(facts, (c) => revokeCertificate(c, status, async () => { facts = null; slot.replaceChildren(); await load(); })));
    }
    const recent = Date.now() - Date.parse(o.updatedAt) < 120000;
    const busy = o.state === 'IN_PROGRESS'
      || (o.state === 'COMPLETED' && (o.delivery ? o.delivery.state === 'PENDING' : recent))
      || (o.reissue && o.reissue.state === 'SENT');
    clearInterval(timer);
    timer = busy ? setInterval(() => { if (!$('#confirm').open) load().catch(() => {}); }, REFRESH_MS) : null;
  };
  await load();
}

function orderView(o, status, reload, getCert, setCert) {
  document.title = `Order ${o.clientReference} · Certhub`;
  const actions = h('div', {class: 'actions', role: 'group', 'aria-label': 'Actions'});
  const act = (label, id, handler, cls) => actions.append(h('button', {type: 'button', id, class: cls || '', onclick: handler}, label));

  if (o.state === 'PENDING' || o.state === 'DECLINED') {
    act('Submit order', 'action-submit', () => runAction(status, reload, 'POST', `/orders/${o.id}/submit`,
      (r) => `Order submitted: ${r.data.state}${r.data.hold ? ', ' + money(r.data.hold) + ' held' : ''}.`));
  }
  if (o.state === 'IN_PROGRESS' && o.vendorOrderId && o.dcv && o.dcv.method === 'email' && o.vendorStatus === 'awaiting-approval') {
    act('Resend approval email', 'action-resend-approval', () => runAction(status, reload, 'POST', `/orders/${o.id}/resend-approval`,
      () => `Approval email re-sent to ${o.approverEmail}.`), 'secondary');
  }
  if (o.state === 'COMPLETED') {
    act('Download certificate', 'action-download', () => downloadCertificate(o, status, setCert, 'pem'));
    act('Download PKCS#7 (.p7b)', 'action-download-p7b', () => downloadCertificate(o, status, setCert, 'p7b'), 'secondary');
    act('Resend certificate email', 'action-resend-certificate', () => runAction(status, reload, 'POST', `/orders/${o.id}/resend-certificate`,
      () => 'The certificate email is queued to be sent again.'), 'secondary');
    act('Reissue with a new CSR…', 'action-reissue', () => reissueOrder(o, status, reload), 'secondary');
    act('Renew…', 'action-renew', () => renewOrder(o, status, reload), 'secondary');
  }
  if ((o.state === 'PENDING' || o.state === 'IN_PROGRESS' || o.state === 'DECLINED') && o.vendorStatus !== 'cancel-requested') {
    act('Cancel order…', 'action-cancel', () => cancelOrder(o, status, reload), 'danger');
  }

  const cert = getCert();
  const certSection = o.state === 'COMPLETED' ? h('section', {id: 'certificate', 'aria-labelledby': 'h-cert'},
    h('h2', {id: 'h-cert'}, 'Certificate'),
    // the paid term as a chain of certificates (issue 13 §2)
    o.term ? dl([
      ['Paid until', o.term.paidUntil ? when(o.term.paidUntil) : '—', 'term-paid-until'],
      ['Certificates issued', String(o.term.certificatesIssued), 'term-certificates-issued'],
      ['Next reissue', o.term.nextReissueAt ? when(o.term.nextReissueAt) : 'None: the certificate lasts to the end of the term', 'term-next-reissue'],
    ]) : null,
    // a reissue for a new CSR on request (issue 13 §5)
    o.reissue ? dl([
      ['Reissue', `${o.reissue.state}${o.reissue.reason ? ' · ' + o.reissue.reason : ''}`, 'reissue-state'],
      ['Requested', when(o.reissue.requestedAt), 'reissue-requested'],
      o.reissue.completedAt ? ['Reissued', when(o.reissue.completedAt), 'reissue-completed'] : null,
      o.reissue.error ? ['Reissue error', o.reissue.error, 'reissue-error'] : null,
    ]) : null,
    h('div', {id: 'certificate-facts', 'aria-live': 'polite'}),
    h('p', {}, 'The chain as PEM (leaf first, then the intermediates).'),
    h('p', {id: 'certificate-link-row'}, cert ? h('a', {id: 'certificate-link', href: cert.url, download: cert.name}, 'Save ' + cert.name + ' again') : null)) : null;

  const dcv = o.dcv || {};
  const dcvRows = [
    ['Method', dcv.method],
    dcv.method === 'email' ? ['Approver email', dcv.approverEmail, 'dcv-approver'] : null,
  ];
  if (dcv.dns) {
    dcvRows.push(['DNS record name', h('code', {}, dcv.dns.name), 'dcv-dns-name'], ['DNS record type', dcv.dns.type, 'dcv-dns-type'],
      ['DNS record value', h('code', {class: 'wrap'}, dcv.dns.value), 'dcv-dns-value']);
  }
  if (dcv.http) {
    dcvRows.push(['File URL', h('code', {class: 'wrap'}, dcv.http.url), 'dcv-http-url'],
      ['File content', h('pre', {class: 'wrap'}, dcv.http.content), 'dcv-http-content']);
  }
  if ((dcv.method === 'dns' || dcv.method === 'http') && !dcv.dns && !dcv.http) {
    dcvRows.push(['To publish', o.state === 'IN_PROGRESS' ? 'Shown once the vendor has the order.' : '—']);
  }

  const contacts = o.contacts && typeof o.contacts === 'object' ? Object.entries(o.contacts).filter(([, c]) => c) : [];
  const history = (o.history || []).slice();

  return [
    h('div', {class: 'title-row'}, h('h1', {id: 'order-title'}, 'Order ', h('span', {id: 'order-ref'}, o.clientReference)),
      h('span', {id: 'order-state'}, stateBadge(o.state))),
    actions.childElementCount ? actions : null,
    // what the hub found that does not stop the order, e.g. DOMAIN_NOT_REGISTERED (issue 11 §5)
    (o.warnings || []).length ? h('div', {class: 'msg warning', role: 'status', id: 'order-warnings'},
      h('ul', {}, o.warnings.map(w => h('li', {}, h('strong', {}, w.code), ` (${w.field}): ${w.detail}`)))) : null,
    status,
    certSection,
    h('section', {'aria-labelledby': 'h-summary'}, h('h2', {id: 'h-summary'}, 'Order'), dl([
      ['Order ID', h('code', {}, o.id), 'order-id'],
      ['Client reference', o.clientReference],
      ['Product', o.productType, 'order-product'],
      ['State', o.state, 'order-state-text'],
      ['Vendor status', o.vendorStatus, 'order-vendor-status'],
      ['Vendor order ID', o.vendorOrderId, 'order-vendor-id'],
      ['Domain', o.domain, 'order-domain'],
      ['Additional domains', (o.additionalDomains || []).join(', ')],
      ['Period', o.period ? `${o.period} year${o.period === 1 ? '' : 's'}` : null],
      // renewal orders (issue 13 §3), linked both ways
      o.renewalOf ? ['Renewal of', h('a', {href: '#/orders/' + encodeURIComponent(o.renewalOf)}, o.renewalOf), 'order-renewal-of'] : null,
      (o.renewals || []).length ? ['Renewals', h('span', {}, ...o.renewals.flatMap((r, i) =>
        [i ? ', ' : null, h('a', {href: '#/orders/' + encodeURIComponent(r)}, r)]).filter(Boolean)), 'order-renewals'] : null,
      ['Server type', o.serverType],
      ['Price', money(o.price), 'order-price'],
      ['Hold', o.hold ? `${money(o.hold)} · ${o.hold.state}` : 'No hold', 'order-hold'],
      ['Created', when(o.createdAt)],
      ['Last update', when(o.updatedAt)],
      o.lastError ? ['Last error', `${o.lastError.code}: ${o.lastError.detail}`, 'order-last-error'] : null,
      o.vendorRetry ? ['Vendor retries', `${o.vendorRetry.attempts} failed; next attempt ${o.vendorRetry.nextAttemptAt ? when(o.vendorRetry.nextAttemptAt) : 'now'}`, 'order-vendor-retry'] : null,
    ])),
    h('section', {'aria-labelledby': 'h-dcv'}, h('h2', {id: 'h-dcv'}, 'Domain control validation'), dl(dcvRows)),
    h('section', {'aria-labelledby': 'h-delivery'}, h('h2', {id: 'h-delivery'}, 'Delivery'),
      o.delivery ? dl([['State', o.delivery.state, 'delivery-state'], ['Attempts', String(o.delivery.attempts)],
        ['Last error', o.delivery.lastError]]) : h('p', {class: 'hint', id: 'delivery-state'}, 'Not delivered yet.')),
    h('section', {'aria-labelledby': 'h-contacts'}, h('h2', {id: 'h-contacts'}, 'Contacts'),
      contacts.length ? h('div', {class: 'contacts'}, contacts.map(([role, c]) => h('div', {class: 'contact'},
        h('h3', {}, role), dl(Object.entries(c).map(([k, v]) => [CONTACT_LABELS[k] || k, v]))))) : h('p', {class: 'hint'}, 'None.')),
    h('section', {'aria-labelledby': 'h-history'}, h('h2', {id: 'h-history'}, 'History'),
      h('ol', {class: 'timeline', id: 'history'}, history.map(e => h('li', {},
        h('div', {class: 'when'}, when(e.at)),
        h('div', {class: 'what'}, e.from && e.from !== e.to ? [stateBadge(e.from), ' → '] : null, stateBadge(e.to),
          e.vendorStatus ? h('span', {class: 'vendor'}, ' vendor: ' + e.vendorStatus) : null),
        h('div', {class: 'hint'}, [e.actor, e.reason].filter(Boolean).join(' · ')))))),
    o.csr ? h('section', {'aria-labelledby': 'h-csr'}, h('h2', {id: 'h-csr'}, 'CSR'),
      h('details', {}, h('summary', {}, 'Show the CSR'), h('pre', {class: 'pem'}, o.csr))) : null,
  ];
}

/**
 * The facts of one certificate (GET /certificates item) as a definition list, with a Revoke
 * button while it can be revoked (onRevoke(c) asks and calls the API).
 */
function certificateFacts(c, onRevoke) {
  const revocable = onRevoke && (c.state === 'ACTIVE' || c.state === 'SUPERSEDED');
  return h('div', {}, dl([
    ['Serial number', h('code', {class: 'wrap'}, c.serialNumber), 'cert-serial'],
    ['Issuer', c.issuer, 'cert-issuer'],
    ['Subject', c.subject, 'cert-subject'],
    ['Names', (c.sans || []).join(', '), 'cert-sans'],
    ['Not before', when(c.notBefore), 'cert-not-before'],
    ['Not after', when(c.notAfter), 'cert-not-after'],
    ['SHA-256', h('code', {class: 'wrap'}, c.sha256), 'cert-sha256'],
    ['Key', `${c.keyType} ${c.keySize} bit`, 'cert-key'],
    ['State', stateBadge(c.state), 'cert-state'],
    c.revokedAt ? ['Revoked', h('span', {}, when(c.revokedAt), ' · ' + c.revocationReason), 'cert-revoked'] : null,
  ]), revocable ? h('div', {class: 'actions'},
    h('button', {type: 'button', id: 'action-revoke', class: 'danger', onclick: () => onRevoke(c)}, 'Revoke certificate…')) : null);
}

/** The RFC 5280 §5.3.1 reasons a subscriber may ask for (CA/B Forum BR §4.9.1.1), as the API takes them. */
const REVOCATION_REASONS = [
  ['keyCompromise', 'Key compromise: the private key was exposed'],
  ['superseded', 'Superseded: replaced by another certificate'],
  ['cessationOfOperation', 'Cessation of operation: the names are no longer used'],
  ['affiliationChanged', 'Affiliation changed: the organization details changed'],
  ['unspecified', 'Unspecified'],
];

/** Asks for a reason, then POST /certificates/{id}/revoke (issue 13 §5); done() reloads the facts. */
async function revokeCertificate(c, status, done) {
  const select = h('select', {id: 'revoke-reason', 'aria-label': 'Reason'},
    REVOCATION_REASONS.map(([v, label]) => h('option', {value: v}, label)));
  const yes = await confirmDialog('Revoke this certificate?',
    `Certificate ${c.serialNumber} for ${(c.sans || []).join(', ')} will be revoked at the vendor. Browsers stop trusting it; this cannot be undone.`,
    'Revoke certificate', 'Keep certificate', h('label', {}, 'Reason ', select));
  if (!yes) return;
  status.replaceChildren(message('Working…', 'info'));
  const r = await api('POST', `/certificates/${encodeURIComponent(c.id)}/revoke`, {reason: select.value});
  status.replaceChildren(r.ok ? message(`Certificate revoked (${r.data.revocationReason}).`, 'ok') : message(problemText(r.data, r.status), 'error'));
  if (r.ok) await done();
}

/** Asks for the new CSR, then POST /orders/{id}/reissue (issue 13 §5): free within the paid term. */
async function reissueOrder(o, status, reload) {
  const csr = h('textarea', {id: 'reissue-csr', class: 'mono', rows: '8', 'aria-label': 'New CSR (PEM)',
    placeholder: '-----BEGIN CERTIFICATE REQUEST-----'});
  const reason = h('input', {id: 'reissue-reason', type: 'text', maxlength: '256', 'aria-label': 'Reason (optional)'});
  const yes = await confirmDialog('Reissue with a new CSR?',
    `The vendor issues a new certificate for ${o.domain} on the new key and emails it; the current one is superseded. `
    + 'Free within the paid term: nothing is held or charged.', 'Request reissue', 'Not now',
    h('div', {}, h('label', {}, 'New CSR (PEM) ', csr), h('label', {}, 'Reason (optional) ', reason)));
  if (!yes) return;
  status.replaceChildren(message('Working…', 'info'));
  const body = {csr: csr.value};
  if (reason.value.trim()) body.reason = reason.value.trim();
  const r = await api('POST', `/orders/${o.id}/reissue`, body);
  status.replaceChildren(r.ok ? message('Reissue requested: the vendor emails the new certificate, which is then delivered like the first.', 'ok')
    : message(problemText(r.data, r.status), 'error'));
  await reload();
}

const CONTACT_LABELS = {
  firstName: 'First name', lastName: 'Last name', orgName: 'Organization', title: 'Job title', address1: 'Address',
  address2: 'Address (2)', address3: 'Address (3)', city: 'City', state: 'State or province', postalCode: 'Postal code',
  country: 'Country', phone: 'Phone', fax: 'Fax', email: 'Email',
};

async function runAction(status, reload, method, path, describe) {
  status.replaceChildren(message('Working…', 'info'));
  const buttons = $$('.actions button');
  buttons.forEach(b => { b.disabled = true; });
  const r = await api(method, path, {});
  buttons.forEach(b => { b.disabled = false; });
  status.replaceChildren(r.ok ? message(describe(r), 'ok') : message(problemText(r.data, r.status), 'error'));
  await reload();
  return r;
}

/**
 * Asks in a dialog (title, what will happen, e.g. the amount held or released); resolves true when
 * confirmed. extra: form controls shown above the buttons (read by the caller after it resolves).
 */
function confirmDialog(title, text, yesLabel, noLabel, extra) {
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

async function cancelOrder(o, status, reload) {
  const held = o.hold && o.hold.state === 'HELD';
  const amount = held ? money(o.hold) : null;
  const text = `Cancel order ${o.clientReference} for ${o.domain}? `
    + (held ? `The hold of ${amount} will be released to your available funds.` : 'No money is held for this order, so nothing is released.')
    + (o.vendorOrderId ? ' The vendor is asked to cancel too; if it does not confirm at once, the hold stays until it does.' : '');
  const yes = await confirmDialog('Cancel this order?', text, held ? `Cancel and release ${amount}` : 'Cancel order');
  $('#action-cancel') && $('#action-cancel').focus();
  if (!yes) return;
  await runAction(status, reload, 'POST', `/orders/${o.id}/cancel`, (r) => r.status === 202
    ? `Cancellation requested from the vendor; the hold of ${money(o.hold)} stays until the vendor confirms.`
    : `Order cancelled.${held ? ' ' + amount + ' released.' : ''}`);
}

/**
 * Places the renewal of a COMPLETED order (POST /orders/{id}/renew, issue 13 §3) after a dialog
 * that states the amount to be held, then opens the renewal. The default client reference
 * (renew-<id>) makes a repeated click find the same renewal instead of placing a second one.
 */
async function renewOrder(o, status, reload) {
  const text = `Renew order ${o.clientReference} for ${o.domain}? A renewal order for the same product, names and contacts `
    + `is placed with the vendor and ${money(o.price)} will be held from your available funds until it is issued.`;
  const yes = await confirmDialog('Renew this certificate?', text, `Renew and hold ${money(o.price)}`, 'Not now');
  $('#action-renew') && $('#action-renew').focus();
  if (!yes) return;
  const r = await runAction(status, reload, 'POST', `/orders/${o.id}/renew`,
    (res) => `Renewal ${res.data.clientReference} ${res.status === 201 ? 'placed' : 'already placed'}: ${res.data.state}.`);
  if (r.ok) navigate('#/orders/' + encodeURIComponent(r.data.id),
    {text: `Renewal of ${o.clientReference} ${r.status === 201 ? 'placed' : 'already placed'}: ${r.data.state}${r.data.hold ? ', ' + money(r.data.hold) + ' held' : ''}.`, kind: 'ok'});
}

// format 'pem': the chain as PEM (leaf first); 'p7b': the same chain as DER PKCS#7 (RFC 2315), for IIS and Tomcat
async function downloadCertificate(o, status, setCert, format) {
  status.replaceChildren(message('Fetching the certificate…', 'info'));
  const type = format === 'p7b' ? 'application/pkcs7-mime' : 'application/pem-certificate-chain';
  let res;
  try {
    res = await fetch(`${API}/orders/${encodeURIComponent(o.id)}/certificate`,
      {headers: {'X-Api-Key': apiKey(), 'Accept': type}});
  } catch (e) {
    status.replaceChildren(message('The hub could not be reached: ' + e.message, 'error'));
    return;
  }
  if (!res.ok) {
    const p = await res.json().catch(() => null);
    status.replaceChildren(message(problemText(p, res.status), 'error'));
    return;
  }
  const blob = new Blob([await res.blob()], {type});
  const url = URL.createObjectURL(blob);
  const name = o.domain.replace('*', 'star') + (format === 'p7b' ? '.p7b' : '.pem');
  setCert({url, name});
  const link = h('a', {id: 'certificate-link', href: url, download: name}, 'Save ' + name + ' again');
  const row = $('#certificate-link-row');
  if (row) row.replaceChildren(link);
  link.click();
  status.replaceChildren(message(`Certificate downloaded as ${name}.`, 'ok'));
}

// ---------------------------------------------------------------- new order

async function renderNewOrder(el, token) {
  document.title = 'New order · Certhub';
  const pr = await api('GET', '/products');
  if (token !== routeToken) return;
  if (!pr.ok) { el.append(h('h1', {}, 'New order'), message(problemText(pr.data, pr.status), 'error')); return; }
  const products = pr.data;

  const field = (name, label, input, hint) => {
    const id = 'f-' + name.replace(/\./g, '-');
    input.id = id;
    input.name = name;
    input.dataset.field = name;
    const hintId = hint ? (hint instanceof Node ? hint.id : id + '-hint') : null;
    const errId = id + '-error';
    input.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
    return h('div', {class: 'field', dataset: {for: name}},
      h('label', {for: id}, label, input.required ? h('span', {class: 'req', 'aria-hidden': 'true'}, ' *') : null),
      input,
      hint instanceof Node ? hint : hint ? h('p', {class: 'hint', id: hintId}, hint) : null,
      h('p', {class: 'field-error', id: errId, dataset: {errorFor: name}}));
  };
  const text = (attrs) => h('input', Object.assign({type: 'text', autocomplete: 'off'}, attrs || {}));

  const product = h('select', {required: true},
    products.map(p => h('option', {value: p.productType, selected: p.productType === 'quickssl_premium'},
      `${p.name} (${p.validation}${p.wildcard ? ', wildcard' : ''}) · ${money(p.pricePerYear)}/year`)));
  const period = h('select', {});
  const price = h('output', {id: 'f-price', for: 'f-productType f-period'});
  const csr = h('textarea', {rows: 8, required: true, spellcheck: 'false', class: 'mono',
    placeholder: '-----BEGIN CERTIFICATE REQUEST-----'});
  const csrFile = h('input', {type: 'file', id: 'f-csr-file', accept: '.csr,.pem,.req,.txt,text/plain'});
  const csrInfo = h('div', {id: 'csr-feedback', class: 'csr-feedback', 'aria-live': 'polite'});
  const domain = text({required: true, inputmode: 'url', placeholder: 'shop.example.com'});
  const extra = h('textarea', {rows: 2, spellcheck: 'false', placeholder: 'www.shop.example.com'});
  const dcvMethod = h('select', {},
    h('option', {value: 'email'}, 'Email to an approver'),
    h('option', {value: 'dns'}, 'DNS TXT record'),
    h('option', {value: 'http'}, 'HTTP file'));
  const approver = h('select', {});
  const approverNote = h('p', {class: 'hint', id: 'approver-note', 'aria-live': 'polite'});
  const serverType = h('select', {}, ['nginx', 'apache', 'iis', 'tomcat', 'other'].map(s => h('option', {value: s}, s)));
  const summary = h('div', {id: 'form-errors', tabindex: '-1'});

  const admin = {
    firstName: text({required: true, autocomplete: 'given-name'}),
    lastName: text({required: true, autocomplete: 'family-name'}),
    email: h('input', {type: 'email', required: true, autocomplete: 'email'}),
    phone: h('input', {type: 'tel', required: true, autocomplete: 'tel'}),
    orgName: text({autocomplete: 'organization'}),
    title: text({autocomplete: 'organization-title'}),
  };
  const org = {
    orgName: text({required: true, autocomplete: 'organization'}),
    address1: text({required: true, autocomplete: 'address-line1'}),
    city: text({required: true, autocomplete: 'address-level2'}),
    state: text({autocomplete: 'address-level1'}),
    postalCode: text({autocomplete: 'postal-code'}),
    country: text({required: true, autocomplete: 'country', maxlength: 2, size: 3}),
    phone: h('input', {type: 'tel', required: true, autocomplete: 'tel'}),
  };
  const orgSet = h('fieldset', {id: 'org-fieldset', dataset: {field: 'contacts.organization'}},
    h('legend', {}, 'Organization (OV and EV products)'),
    h('p', {class: 'field-error', id: 'f-contacts-organization-error', dataset: {errorFor: 'contacts.organization'}}),
    h('div', {class: 'grid'},
      field('contacts.organization.orgName', 'Organization name', org.orgName),
      field('contacts.organization.address1', 'Street address', org.address1),
      field('contacts.organization.city', 'City', org.city),
      field('contacts.organization.state', 'State or province', org.state),
      field('contacts.organization.postalCode', 'Postal code', org.postalCode),
      field('contacts.organization.country', 'Country', org.country, 'Two letters, e.g. US'),
      field('contacts.organization.phone', 'Phone', org.phone, 'e.g. +1.5555550100')));

  const chosen = () => products.find(p => p.productType === product.value) || products[0];
  const updateProduct = () => {
    const p = chosen();
    const keep = period.value;
    period.replaceChildren(...p.periods.map(y => h('option', {value: y, selected: String(y) === keep}, `${y} year${y === 1 ? '' : 's'}`)));
    updatePrice();
    orgSet.hidden = !(p.validation === 'OV' || p.validation === 'EV');
  };
  const updatePrice = () => {
    const p = chosen();
    const years = parseInt(period.value || '1', 10);
    const cents = Math.round(parseFloat(p.pricePerYear.amount) * 100) * years;
    price.textContent = `${(cents / 100).toFixed(2)} ${p.pricePerYear.currency} for ${years} year${years === 1 ? '' : 's'} · up to ${p.maxDomains} name${p.maxDomains === 1 ? '' : 's'}`;
  };

  // CSR feedback from POST /csr/parse, as the user types or picks a file
  let csrSeq = 0;
  let csrTimer = null;
  const parseCsr = async () => {
    const value = csr.value.trim();
    const seq = ++csrSeq;
    if (!value) { csrInfo.replaceChildren(); return; }
    csrInfo.replaceChildren(h('p', {class: 'hint'}, 'Checking the CSR…'));
    const r = await api('POST', '/csr/parse', {csr: value});
    if (seq !== csrSeq || token !== routeToken) return;
    if (!r.ok) { csrInfo.replaceChildren(message(problemText(r.data, r.status), 'error')); return; }
    const c = r.data;
    const key = c.keyAlgorithm ? `${c.keyAlgorithm}${c.curve ? ' ' + c.curve : c.keySize ? ' ' + c.keySize + ' bits' : ''}` : 'unreadable';
    csrInfo.replaceChildren(h('div', {class: 'csr-report ' + (c.problems.length ? 'bad' : 'good')},
      h('p', {id: 'csr-summary'}, c.problems.length ? 'This CSR has problems.' : 'The CSR is fine.'),
      dl([['Common name', c.commonName, 'csr-cn'], ['Names', c.names.join(', '), 'csr-names'], ['Key', key, 'csr-key'],
        ['Signature', c.signatureValid ? 'valid' : 'not valid', 'csr-signature']]),
      c.problems.length ? h('ul', {id: 'csr-problems', class: 'problems'}, c.problems.map(p => h('li', {}, `${p.detail} (${p.code})`))) : null));
    if (!c.problems.length && c.names.length) {
      const names = c.names.slice();
      const first = c.commonName && names.includes(c.commonName) ? c.commonName : names[0];
      if (!domain.value.trim()) {
        domain.value = first;
        loadApprovers();
      }
      if (!extra.value.trim()) extra.value = names.filter(n => n !== domain.value.trim().toLowerCase()).join('\n');
    }
  };
  csr.addEventListener('input', () => { clearTimeout(csrTimer); csrTimer = setTimeout(parseCsr, 400); });
  csrFile.addEventListener('change', async () => {
    const f = csrFile.files && csrFile.files[0];
    if (!f) return;
    if (f.size > 64 * 1024) { csrInfo.replaceChildren(message('That file is too large for a CSR.', 'error')); return; }
    csr.value = await f.text();
    clearTimeout(csrTimer);
    parseCsr();
  });

  // approver candidates from GET /approvers
  let apSeq = 0;
  const loadApprovers = async () => {
    const seq = ++apSeq;
    const d = domain.value.trim();
    const keep = approver.value;
    $('[data-for="approverEmail"]', form).hidden = dcvMethod.value !== 'email';
    if (dcvMethod.value !== 'email') return;
    if (!d) {
      approver.replaceChildren(h('option', {value: ''}, 'Enter the domain first'));
      approverNote.textContent = '';
      return;
    }
    const r = await api('GET', '/approvers' + query({domain: d, productType: product.value}));
    if (seq !== apSeq || token !== routeToken) return;
    if (!r.ok) {
      approver.replaceChildren(h('option', {value: ''}, 'No candidates'));
      approverNote.textContent = problemText(r.data, r.status);
      return;
    }
    const usable = r.data.filter(a => a.usable);
    approver.replaceChildren(h('option', {value: ''}, usable.length ? 'Choose an approver…' : 'No usable approver'),
      ...r.data.map(a => h('option', {value: a.email, disabled: !a.usable, selected: a.email === keep, dataset: {note: a.note || ''}},
        `${a.email} (${a.type}${a.usable ? '' : ', not usable'})`)));
    showNote();
  };
  const showNote = () => {
    const opt = approver.selectedOptions[0];
    approverNote.textContent = opt && opt.dataset.note ? opt.dataset.note : 'Who receives the approval email; candidates from the hub’s discovery.';
  };
  approver.addEventListener('change', showNote);
  domain.addEventListener('change', loadApprovers);
  dcvMethod.addEventListener('change', loadApprovers);
  product.addEventListener('change', () => { updateProduct(); loadApprovers(); });
  period.addEventListener('change', updatePrice);

  const form = h('form', {id: 'order-form', novalidate: true, onsubmit: (ev) => ev.preventDefault()},
    h('h1', {}, 'New order'),
    summary,
    h('fieldset', {}, h('legend', {}, 'Product'),
      h('div', {class: 'grid'},
        field('clientReference', 'Client reference', text({required: true}), 'Your own reference, unique in this account'),
        field('productType', 'Product', product),
        field('period', 'Period', period)),
      h('p', {}, 'Price: ', price)),
    h('fieldset', {}, h('legend', {}, 'Certificate signing request'),
      field('csr', 'CSR (PEM)', csr, 'Paste the CSR, or upload its file below; it is checked at once.'),
      h('div', {class: 'field'}, h('label', {for: 'f-csr-file'}, 'CSR file'), csrFile),
      csrInfo),
    h('fieldset', {}, h('legend', {}, 'Names and validation'),
      h('div', {class: 'grid'},
        field('domain', 'Domain', domain, 'The main name; filled from the CSR when empty'),
        field('additionalDomains', 'Additional domains', extra, 'One per line'),
        field('dcvMethod', 'Validation method', dcvMethod),
        field('approverEmail', 'Approver email', approver, approverNote),
        field('serverType', 'Server type', serverType))),
    h('fieldset', {dataset: {field: 'contacts.admin'}}, h('legend', {}, 'Admin contact (receives the certificate)'),
      h('p', {class: 'field-error', id: 'f-contacts-admin-error', dataset: {errorFor: 'contacts.admin'}}),
      h('div', {class: 'grid'},
        field('contacts.admin.firstName', 'First name', admin.firstName),
        field('contacts.admin.lastName', 'Last name', admin.lastName),
        field('contacts.admin.email', 'Email', admin.email),
        field('contacts.admin.phone', 'Phone', admin.phone, 'e.g. +1.5555550100'),
        field('contacts.admin.orgName', 'Organization (optional)', admin.orgName),
        field('contacts.admin.title', 'Job title (optional)', admin.title))),
    orgSet,
    h('div', {class: 'buttons form-buttons'},
      h('button', {type: 'button', id: 'save-order', class: 'secondary', onclick: () => send('save')}, 'Save (Pending)'),
      h('button', {type: 'button', id: 'submit-order', onclick: () => send('process')}, 'Submit (In progress)')),
    h('p', {class: 'hint'}, 'Save keeps the order PENDING and holds no money; submit it later from its page. '
      + 'Submit sends it to the vendor now and holds its price until it completes or is cancelled.'));

  const values = (obj) => {
    const out = {};
    for (const [k, input] of Object.entries(obj)) if (input.value.trim()) out[k] = input.value.trim();
    return out;
  };
  const body = (handle) => {
    const b = {
      clientReference: $('#f-clientReference', form).value.trim(),
      productType: product.value,
      handle,
      period: parseInt(period.value, 10),
      domain: domain.value.trim(),
      additionalDomains: extra.value.split(/[\s,;]+/).map(s => s.trim()).filter(Boolean),
      csr: csr.value.trim(),
      serverType: serverType.value,
      dcvMethod: dcvMethod.value,
      contacts: {admin: values(admin)},
    };
    if (dcvMethod.value === 'email' && approver.value) b.approverEmail = approver.value;
    if (!orgSet.hidden) b.contacts.organization = values(org);
    for (const k of ['clientReference', 'domain', 'csr']) if (!b[k]) delete b[k];
    return b;
  };
  const send = async (handle) => {
    clearErrors(form, summary);
    const buttons = $$('.form-buttons button', form);
    buttons.forEach(b => { b.disabled = true; });
    summary.replaceChildren(message(handle === 'save' ? 'Saving…' : 'Submitting…', 'info'));
    const r = await api('POST', '/orders', body(handle));
    buttons.forEach(b => { b.disabled = false; });
    if (r.ok) {
      const o = r.data;
      navigate('#/orders/' + encodeURIComponent(o.id), {kind: 'ok', text: r.status === 200
        ? `This order already exists (same client reference and content): ${o.state}.`
        : o.state === 'PENDING' ? 'Order saved: PENDING. Submit it when ready.'
          : `Order submitted: ${o.state}${o.hold ? ', ' + money(o.hold) + ' held' : ''}.`});
      return;
    }
    showErrors(form, summary, r);
  };

  el.append(form);
  updateProduct();
  loadApprovers();
}

function clearErrors(form, summary) {
  summary.replaceChildren();
  for (const p of $$('.field-error', form)) p.textContent = '';
  for (const i of $$('[aria-invalid]', form)) i.removeAttribute('aria-invalid');
}

/** Puts each problem+json error next to its field (dotted path); the rest go in the summary. */
function showErrors(form, summary, r) {
  const p = r.data || {};
  const errors = Array.isArray(p.errors) && p.errors.length ? p.errors : [{code: p.code, field: p.field, detail: problemText(p, r.status)}];
  const items = [];
  for (const e of errors) {
    const target = fieldFor(form, e.field);
    const text = e.detail + (e.code && !String(e.detail).includes(e.code) ? ` (${e.code})` : '');
    if (target) {
      const slot = $(`.field-error[data-error-for="${CSS.escape(target)}"]`, form);
      slot.textContent = slot.textContent ? slot.textContent + ' ' + text : text;
      const input = $(`[data-field="${CSS.escape(target)}"]`, form);
      if (input && !input.matches('fieldset')) input.setAttribute('aria-invalid', 'true');
      items.push(h('li', {}, h('a', {href: '#', onclick: (ev) => {
        ev.preventDefault();
        const i = $(`[data-field="${CSS.escape(target)}"]`, form);
        const f = i && i.matches('fieldset') ? $('input, select, textarea', i) : i;
        if (f) f.focus();
      }}, text)));
    } else {
      items.push(h('li', {}, text));
    }
  }
  summary.replaceChildren(h('div', {class: 'msg error', role: 'alert'},
    h('p', {}, errors.length === 1 ? 'The order was not accepted:' : `The order was not accepted (${errors.length} problems):`),
    h('ul', {}, items)));
  summary.focus();
}

/** The form field (data-field) an API field path belongs to: exact, without [index], or a parent. */
function fieldFor(form, path) {
  if (!path) return null;
  let p = String(path).replace(/\[\d+\]/g, '');
  while (p) {
    if ($(`.field-error[data-error-for="${CSS.escape(p)}"]`, form)) return p;
    const dot = p.lastIndexOf('.');
    p = dot > 0 ? p.slice(0, dot) : '';
  }
  return null;
}

// ---------------------------------------------------------------- account

async function renderAccount(el, params, token) {
  document.title = 'Account · Certhub';
  const page = Math.max(0, parseInt(params.get('page') || '0', 10) || 0);
  const [a, l] = await Promise.all([api('GET', '/account'), api('GET', '/account/ledger' + query({page, size: LEDGER_SIZE}))]);
  if (token !== routeToken) return;
  el.append(h('h1', {}, 'Account'));
  if (!a.ok) { el.append(message(problemText(a.data, a.status), 'error')); return; }
  const acc = a.data;
  const stat = (label, value, id) => h('div', {class: 'stat'}, h('div', {class: 'label', id: id + '-label'}, label),
    h('div', {class: 'value', id}, `${value} ${acc.currency}`));
  el.append(h('p', {}, 'Account ', h('strong', {id: 'account-id'}, acc.id)),
    h('div', {class: 'stats'}, stat('Balance', acc.balance, 'account-balance'), stat('Held', acc.held, 'account-held'),
      stat('Available', acc.available, 'account-available')),
    h('h2', {}, 'Ledger'));
  if (!l.ok) { el.append(message(problemText(l.data, l.status), 'error')); return; }
  const {items, size, totalElements} = l.data;
  const pages = Math.max(1, Math.ceil(totalElements / size));
  if (!items.length) { el.append(h('p', {class: 'empty'}, 'No entries.')); return; }
  const head = ['When', 'Type', 'Amount', 'Order', 'Reference'];
  el.append(h('div', {class: 'table-wrap'}, h('table', {id: 'ledger-table', class: 'list'},
    h('caption', {}, `${totalElements} entr${totalElements === 1 ? 'y' : 'ies'}, newest first · page ${page + 1} of ${pages}`),
    h('thead', {}, h('tr', {}, head.map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, items.map(e => h('tr', {dataset: {type: e.type, order: e.orderId || ''}},
      h('td', {'data-label': head[0]}, when(e.at)),
      h('td', {'data-label': head[1]}, h('span', {class: 'badge ledger-' + e.type.toLowerCase()}, e.type)),
      h('td', {'data-label': head[2], class: 'num'}, `${e.amount} ${e.currency}`),
      h('td', {'data-label': head[3]}, e.orderId ? h('a', {href: '#/orders/' + encodeURIComponent(e.orderId)}, e.orderId) : '—'),
      h('td', {'data-label': head[4]}, e.reference || '—')))))),
    h('nav', {class: 'pager', 'aria-label': 'Ledger pages'},
      h('button', {type: 'button', class: 'secondary', disabled: page <= 0, onclick: () => navigate('#/account' + query({page: page - 1 || ''}))}, '← Newer'),
      h('span', {}, `Page ${page + 1} of ${pages}`),
      h('button', {type: 'button', class: 'secondary', disabled: page + 1 >= pages, onclick: () => navigate('#/account' + query({page: page + 1}))}, 'Older →')));
}

// ---------------------------------------------------------------- certificates

/** Days from now to an instant, rounded down (negative once past). */
function daysLeft(iso) {
  return Math.floor((Date.parse(iso) - Date.now()) / 86400000);
}

async function renderCertificates(el, params, token) {
  document.title = 'Certificates · Certhub';
  const expiring = params.get('expiring') === String(EXPIRING_DAYS);
  const domain = params.get('domain') || '';
  const state = CERT_STATES.includes(params.get('state')) ? params.get('state') : '';
  const page = Math.max(0, parseInt(params.get('page') || '0', 10) || 0);

  const expiringBox = h('input', {id: 'filter-expiring', name: 'expiring', type: 'checkbox', checked: expiring});
  const stateSel = h('select', {id: 'filter-cert-state', name: 'state'},
    h('option', {value: ''}, 'All states'),
    CERT_STATES.map(s => h('option', {value: s, selected: s === state}, s)));
  const domainInput = h('input', {id: 'filter-domain', name: 'domain', type: 'search', value: domain, autocomplete: 'off'});
  const go = (p) => navigate('#/certificates' + query({expiring: expiringBox.checked ? EXPIRING_DAYS : '', domain: domainInput.value.trim(),
    state: stateSel.value, page: p || ''}));
  const filters = h('form', {id: 'cert-filters', class: 'filters', role: 'search', 'aria-label': 'Filter certificates',
    onsubmit: (ev) => { ev.preventDefault(); go(0); }},
    h('div', {class: 'field check'}, h('label', {for: 'filter-expiring'}, expiringBox, ` Expiring within ${EXPIRING_DAYS} days`)),
    h('div', {class: 'field'}, h('label', {for: 'filter-cert-state'}, 'State'), stateSel),
    h('div', {class: 'field grow'}, h('label', {for: 'filter-domain'}, 'Domain'), domainInput),
    h('div', {class: 'field buttons'},
      h('button', {type: 'submit', id: 'cert-filter-apply'}, 'Apply'),
      h('button', {type: 'button', class: 'secondary', onclick: () => navigate('#/certificates')}, 'Clear')));
  expiringBox.addEventListener('change', () => go(0));
  stateSel.addEventListener('change', () => go(0));

  // "expiring within 30 days": notAfter before now + 30 days; with no state chosen, only the ACTIVE ones
  const filter = {
    expiresBefore: expiring ? new Date(Date.now() + EXPIRING_DAYS * 86400000).toISOString() : '',
    domain, state: state || (expiring ? 'ACTIVE' : ''),
  };
  const status = h('div', {id: 'cert-message', 'aria-live': 'polite'});
  const exportButton = h('button', {type: 'button', class: 'secondary', id: 'cert-export', onclick: () => exportCertificates(filter, status)}, 'Export CSV');
  const results = h('div', {id: 'cert-results', 'aria-live': 'polite', 'aria-busy': 'true'}, h('p', {class: 'hint'}, 'Loading…'));
  append(el, [h('div', {class: 'title-row'}, h('h1', {}, 'Certificates'), exportButton), filters, status, results]);

  const r = await api('GET', '/certificates' + query(Object.assign({page, size: PAGE_SIZE}, filter)));
  if (token !== routeToken) return;
  results.setAttribute('aria-busy', 'false');
  if (!r.ok) { results.replaceChildren(message(problemText(r.data, r.status), 'error')); return; }
  const {items, size, totalElements} = r.data;
  const pages = Math.max(1, Math.ceil(totalElements / size));
  if (!items.length) {
    results.replaceChildren(h('p', {id: 'cert-empty', class: 'empty'}, totalElements ? 'No certificates on this page.' : 'No certificates match.'));
    return;
  }
  const head = ['Domain', 'Client reference', 'Not after', 'State', 'Serial number', 'Issuer', 'Key'];
  const cn = (dn) => { const m = /(?:^|,)CN=((?:[^,\\]|\\.)*)/.exec(dn || ''); return m ? m[1].replace(/\\(.)/g, '$1') : dn; };
  results.replaceChildren(h('div', {class: 'table-wrap'}, h('table', {id: 'cert-table', class: 'list'},
    h('caption', {}, `${totalElements} certificate${totalElements === 1 ? '' : 's'}, newest first · page ${page + 1} of ${pages}`),
    h('thead', {}, h('tr', {}, head.map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, items.map(c => {
      const left = daysLeft(c.notAfter);
      return h('tr', {dataset: {id: c.id, order: c.orderId, state: c.state}},
        h('td', {'data-label': head[0], class: 'domain'}, h('a', {href: '#/orders/' + encodeURIComponent(c.orderId), class: 'cert-order-link'}, c.domain),
          (c.sans || []).length > 1 ? h('span', {class: 'hint', title: c.sans.join(', ')}, ` +${c.sans.length - 1}`) : null),
        h('td', {'data-label': head[1]}, c.clientReference),
        h('td', {'data-label': head[2], class: 'num'}, when(c.notAfter),
          c.state === 'ACTIVE' ? h('span', {class: left <= EXPIRING_DAYS ? 'warn days' : 'hint days'}, ` (${left} day${left === 1 ? '' : 's'})`) : null),
        h('td', {'data-label': head[3]}, stateBadge(c.state)),
        h('td', {'data-label': head[4]}, h('code', {class: 'wrap'}, c.serialNumber)),
        h('td', {'data-label': head[5]}, h('span', {title: c.issuer}, cn(c.issuer))),
        h('td', {'data-label': head[6]}, `${c.keyType} ${c.keySize}`));
    })))),
  h('nav', {class: 'pager', 'aria-label': 'Certificate pages'},
    h('button', {type: 'button', class: 'secondary', id: 'cert-page-prev', disabled: page <= 0, onclick: () => go(page - 1)}, '← Previous'),
    h('span', {}, `Page ${page + 1} of ${pages}`),
    h('button', {type: 'button', class: 'secondary', id: 'cert-page-next', disabled: page + 1 >= pages, onclick: () => go(page + 1)}, 'Next →')));
}

/** Downloads every certificate matching the filters as CSV (GET /certificates, Accept: text/csv). */
async function exportCertificates(filter, status) {
  status.replaceChildren(message('Exporting…', 'info'));
  let res;
  try {
    res = await fetch(API + '/certificates' + query(filter), {headers: {'X-Api-Key': apiKey(), 'Accept': 'text/csv'}});
  } catch (e) {
    status.replaceChildren(message('The hub could not be reached: ' + e.message, 'error'));
    return;
  }
  if (!res.ok) {
    status.replaceChildren(message(problemText(await res.json().catch(() => null), res.status), 'error'));
    return;
  }
  const url = URL.createObjectURL(new Blob([await res.blob()], {type: 'text/csv'}));
  const link = h('a', {id: 'cert-export-link', href: url, download: 'certificates.csv'}, 'Save certificates.csv again');
  status.replaceChildren(message('Exported as certificates.csv. ', 'ok'));
  status.firstChild.append(link);
  link.click();
}

// ---------------------------------------------------------------- start

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', () => {
  $('#signout').addEventListener('click', () => signOut('You are signed out; the key was removed from this tab.'));
  route();
});
