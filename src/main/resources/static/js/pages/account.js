/* Account (#/account?page=): balance, held, available and the ledger journal, newest first. */
import {api, query, problemText} from '../api.js';
import {isCurrent, navigate} from '../nav.js';
import {h, ident, listTable, message, pageCount, pager, plural, when} from '../ui.js';

const LEDGER_SIZE = 25;

export async function renderAccount(el, params, token) {
  document.title = 'Account · Certhub';
  const page = Math.max(0, parseInt(params.get('page') || '0', 10) || 0);
  const [a, l] = await Promise.all([api('GET', '/account'), api('GET', '/account/ledger' + query({page, size: LEDGER_SIZE}))]);
  if (!isCurrent(token)) return;
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
  const {items, totalElements} = l.data;
  const pages = pageCount(l.data);
  if (!items.length) { el.append(h('p', {class: 'empty'}, 'No entries.')); return; }
  el.append(h('div', {class: 'table-wrap'}, listTable({id: 'ledger-table',
    caption: `${plural(totalElements, 'entr', 'y', 'ies')}, newest first · page ${page + 1} of ${pages}`,
    head: ['When', 'Type', 'Amount', 'Order', 'Reference'],
    rows: items.map(e => ({dataset: {type: e.type, order: e.orderId || ''}, cells: [
      {content: when(e.at)},
      {content: h('span', {class: 'badge ledger-' + e.type.toLowerCase()}, e.type)},
      {class: 'num', content: `${e.amount} ${e.currency}`},
      {content: e.orderId ? h('a', {href: '#/orders/' + encodeURIComponent(e.orderId)}, ident(e.orderId)) : '—'},
      {content: e.reference || '—'},
    ]}))})),
    pager({label: 'Ledger pages', page, pages, go: (p) => navigate('#/account' + query({page: p || ''})),
      prev: ['← Newer'], next: ['Older →']}));
}
