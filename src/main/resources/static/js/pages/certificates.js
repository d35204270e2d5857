/*
 * Certificates (#/certificates?expiring=30&domain=&state=&page=): the account's certificates,
 * newest first; the "expiring within 30 days" filter, state filter, domain search, paging and
 * Export CSV (issue 13 §1).
 */
import {api, download, query, problemText} from '../api.js';
import {isCurrent, navigate} from '../nav.js';
import {append, domainOrEmail, h, ident, listTable, message, pageCount, pager, plural, stateBadge, when} from '../ui.js';

const CERT_STATES = ['ACTIVE', 'EXPIRED', 'SUPERSEDED', 'REVOKED'];
const EXPIRING_DAYS = 30;
const PAGE_SIZE = 20;

/** Days from now to an instant, rounded down (negative once past). */
function daysLeft(iso) {
  return Math.floor((Date.parse(iso) - Date.now()) / 86400000);
}

/** The CN of a distinguished name (RFC 4514 escapes undone), or the whole name when it has none. */
function cn(dn) {
  const m = /(?:^|,)CN=((?:[^,\\]|\\.)*)/.exec(dn || '');
  return m ? m[1].replace(/\\(.)/g, '$1') : dn;
}

export async function renderCertificates(el, params, token) {
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
  if (!isCurrent(token)) return;
  results.setAttribute('aria-busy', 'false');
  if (!r.ok) { results.replaceChildren(message(problemText(r.data, r.status), 'error')); return; }
  const {items, totalElements} = r.data;
  const pages = pageCount(r.data);
  if (!items.length) {
    results.replaceChildren(h('p', {id: 'cert-empty', class: 'empty'}, totalElements ? 'No certificates on this page.' : 'No certificates match.'));
    return;
  }
  results.replaceChildren(h('div', {class: 'table-wrap'}, listTable({id: 'cert-table',
    caption: `${plural(totalElements, 'certificate')}, newest first · page ${page + 1} of ${pages}`,
    head: ['Domain', 'Client reference', 'Not after', 'State', 'Serial number', 'Issuer', 'Key'],
    rows: items.map(c => {
      const left = daysLeft(c.notAfter);
      return {dataset: {id: c.id, order: c.orderId, state: c.state}, cells: [
        {class: 'domain', content: [h('a', {href: '#/orders/' + encodeURIComponent(c.orderId), class: 'cert-order-link'}, domainOrEmail(c.domain)),
          (c.sans || []).length > 1 ? h('span', {class: 'hint', title: c.sans.join(', ')}, ` +${c.sans.length - 1}`) : null]},
        {content: ident(c.clientReference)},
        {class: 'num', content: [when(c.notAfter),
          c.state === 'ACTIVE' ? h('span', {class: left <= EXPIRING_DAYS ? 'warn days' : 'hint days'}, ` (${left} day${left === 1 ? '' : 's'})`) : null]},
        {content: stateBadge(c.state)},
        {content: h('code', {}, ident(c.serialNumber, {class: 'ident serial'}))},
        {content: h('span', {title: c.issuer}, cn(c.issuer))},
        {class: 'num', content: `${c.keyType} ${c.keySize}`},
      ]};
    })})),
  pager({label: 'Certificate pages', page, pages, go, prev: ['← Previous', 'cert-page-prev'], next: ['Next →', 'cert-page-next']}));
}

/** Downloads every certificate matching the filters as CSV (GET /certificates, Accept: text/csv). */
async function exportCertificates(filter, status) {
  status.replaceChildren(message('Exporting…', 'info'));
  const got = await download('/certificates' + query(filter), 'text/csv');
  if (!got.ok) {
    status.replaceChildren(message(got.error, 'error'));
    return;
  }
  const url = URL.createObjectURL(got.blob);
  const link = h('a', {id: 'cert-export-link', href: url, download: 'certificates.csv'}, 'Save certificates.csv again');
  status.replaceChildren(message('Exported as certificates.csv. ', 'ok'));
  status.firstChild.append(link);
  link.click();
}
