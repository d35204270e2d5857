/* Orders list (#/orders?state=&by=&q=&page=): filters, search, paging; refreshes while an order is in flight. */
import {api, query, problemText} from '../api.js';
import {isCurrent, navigate, refreshEvery, stopRefresh} from '../nav.js';
import {productLabel, productNames} from '../products.js';
import {append, domainOrEmail, formatInstant, h, ident, listTable, message, money, pageCount, pager, plural, stateBadge, when} from '../ui.js';

export const STATES = ['PENDING', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'DECLINED'];
export const REFRESH_MS = 4000;
const PAGE_SIZE = 20;

export async function renderOrders(el, params, token, shown) {
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
    const [r, names] = await Promise.all([
      api('GET', '/orders' + query({state, q, in: q && by !== 'any' ? by : '', page, size: PAGE_SIZE})),
      productNames()]);
    if (!isCurrent(token)) return;
    results.setAttribute('aria-busy', 'false');
    if (!r.ok) {
      results.replaceChildren(message(problemText(r.data, r.status), 'error'));
      return;
    }
    const inFlight = r.data.items.some(o => o.state === 'IN_PROGRESS');
    results.replaceChildren(ordersTable(r.data, names, (p) => go(p)));
    status.textContent = (inFlight ? `Orders in progress: refreshing every ${REFRESH_MS / 1000} s. ` : '')
      + 'Updated ' + formatInstant(new Date(), {seconds: true}) + '.';
    status.dataset.refreshes = String((parseInt(status.dataset.refreshes || '0', 10)) + 1);
    if (inFlight) refreshEvery(REFRESH_MS, () => load().catch(() => {})); else stopRefresh();
  };
  await load();
}

function ordersTable(pageData, names, goTo) {
  const {items, page, totalElements} = pageData;
  const pages = pageCount(pageData);
  if (!items.length) {
    return h('p', {id: 'orders-empty', class: 'empty'}, totalElements ? 'No orders on this page.' : 'No orders match.');
  }
  const table = listTable({id: 'orders-table',
    caption: `${plural(totalElements, 'order')} · page ${page + 1} of ${pages}`,
    head: ['Client reference', 'Domain', 'Product', 'State', 'Vendor status', 'Price', 'Hold', 'Last update'],
    rows: items.map(o => ({dataset: {id: o.id, ref: o.clientReference, state: o.state}, cells: [
      {content: h('a', {href: '#/orders/' + encodeURIComponent(o.id), class: 'order-link'}, ident(o.clientReference))},
      {class: 'domain', content: h('span', {}, domainOrEmail(o.domain),
        o.additionalDomains && o.additionalDomains.length
          ? h('span', {class: 'hint', title: o.additionalDomains.join(', ')}, ` +${o.additionalDomains.length}`) : null)},
      {content: productLabel(o.productType, names)},
      {class: 'state', content: stateBadge(o.state)},
      {content: o.vendorStatus
        || (o.lastError && o.lastError.code === 'VENDOR_UNAVAILABLE' ? h('span', {class: 'warn', title: o.lastError.detail}, 'vendor unavailable, retrying') : '—')},
      {class: 'num', content: money(o.price)},
      {class: 'hold', content: o.hold ? `${money(o.hold)} ${o.hold.state}` : '—'},
      {content: when(o.updatedAt)},
    ]}))});
  return h('div', {}, h('div', {class: 'table-wrap'}, table),
    pager({label: 'Pages', page, pages, go: goTo, prev: ['← Previous', 'page-prev'], next: ['Next →', 'page-next']}));
}
