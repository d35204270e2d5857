/*
 * ACME (#/acme): the account's External Account Binding keys for its customers' ACME clients
 * (issue 15 §2): make one (customer, products, admin contact, expiry; the HMAC key is shown once),
 * list them with their state, revoke one; the ACME accounts bound to them; and their ACME orders,
 * each linked to the Certhub order finalize made.
 */
import {api, problemText} from '../api.js';
import {isCurrent, navigate} from '../nav.js';
import {catalog, productLabel, productNames} from '../products.js';
import {$$, confirmDialog, h, ident, listTable, message, stateBadge, when} from '../ui.js';

const DEFAULT_DAYS = 90;
let justMade = null;     // the key made by this tab's last submit, shown once with its HMAC key

export async function renderAcme(el, token, shown) {
  document.title = 'ACME · Certhub';
  const [keys, products, names, accounts, orders] = await Promise.all([api('GET', '/acme/eab-keys'), catalog(), productNames(),
    api('GET', '/acme/accounts'), api('GET', '/acme/orders')]);
  if (!isCurrent(token)) return;
  const directory = location.origin + '/acme/directory';
  el.append(h('h1', {}, 'ACME'),
    h('p', {}, 'Keys for your customers\u2019 own ACME clients (certbot, acme.sh, lego). Give a customer the directory URL ',
      h('code', {id: 'acme-directory'}, directory), ', a key id and its HMAC key; their client binds one ACME account to the key.',
      ' Each certificate their client orders is a Certhub order (client reference ACME-…) held and charged like any other;',
      ' the certificate is mailed to the key’s admin contact too.'));
  if (shown) el.append(message(shown.text, shown.kind));
  const made = justMade;
  justMade = null;
  if (made) el.append(secretBox(made));
  el.append(createForm(products.ok ? products.data : []));
  el.append(h('h2', {}, 'Keys'));
  if (!keys.ok) { el.append(message(problemText(keys.data, keys.status), 'error')); return; }
  const items = keys.data.items;
  if (!items.length) { el.append(h('p', {class: 'empty', id: 'eab-empty'}, 'No keys yet.')); return; }
  el.append(h('div', {class: 'table-wrap'}, listTable({id: 'eab-table', caption: `${items.length} key${items.length === 1 ? '' : 's'}, oldest first`,
    head: ['Key id', 'Customer', 'Products', 'Expires', 'State', 'ACME account', ''],
    rows: items.map(k => ({dataset: {kid: k.kid, state: k.state}, cells: [
      {content: ident(k.kid)},
      {content: k.customer},
      {content: h('span', {}, k.products.map((p, i) => [i ? ', ' : '', productLabel(p, names)]))},
      {content: when(k.expiresAt)},
      {content: stateBadge(k.state)},
      {content: k.boundAccount ? ident(k.boundAccount) : '—'},
      {content: k.state === 'REVOKED' ? '' : h('button', {type: 'button', class: 'secondary', dataset: {revoke: k.kid},
        onclick: () => revoke(k)}, 'Revoke')},
    ]}))})));
  el.append(...accountsAndOrders(accounts, orders, names));
}

function accountsAndOrders(accounts, orders, names) {
  const out = [h('h2', {}, 'ACME accounts')];
  if (!accounts.ok) out.push(message(problemText(accounts.data, accounts.status), 'error'));
  else if (!accounts.data.items.length) out.push(h('p', {class: 'empty', id: 'acme-accounts-empty'}, 'No customer has bound an account yet.'));
  else out.push(h('div', {class: 'table-wrap'}, listTable({id: 'acme-accounts', caption: `${accounts.data.items.length} account(s), oldest first`,
    head: ['Account', 'Customer', 'Key id', 'Contact', 'Status', 'Since'],
    rows: accounts.data.items.map(a => ({dataset: {account: a.id}, cells: [
      {content: ident(a.id)}, {content: a.customer}, {content: ident(a.kid)}, {content: a.contact.map(c => c.replace(/^mailto:/, '')).join(', ') || '—'},
      {content: stateBadge(a.status.toUpperCase())}, {content: when(a.createdAt)},
    ]}))})));
  out.push(h('h2', {}, 'ACME orders'));
  if (!orders.ok) out.push(message(problemText(orders.data, orders.status), 'error'));
  else if (!orders.data.items.length) out.push(h('p', {class: 'empty', id: 'acme-orders-empty'}, 'No ACME orders yet.'));
  else out.push(h('div', {class: 'table-wrap'}, listTable({id: 'acme-orders', caption: `${orders.data.items.length} newest order(s), newest first`,
    head: ['Names', 'Customer', 'Product', 'ACME status', 'Certhub order', 'Made'],
    rows: orders.data.items.map(o => ({dataset: {acmeOrder: o.id, status: o.status}, cells: [
      {content: o.identifiers.join(', ')}, {content: o.customer}, {content: productLabel(o.product, names)},
      {content: h('span', {title: o.error || ''}, stateBadge(o.status.toUpperCase()))},
      {content: o.orderId ? h('a', {href: '#/orders/' + encodeURIComponent(o.orderId), dataset: {order: o.orderId}}, ident(o.orderId)) : '—'},
      {content: when(o.createdAt)},
    ]}))})));
  return out;
}

function createForm(products) {
  const customer = h('input', {type: 'text', id: 'eab-customer', name: 'customer', maxlength: 128, autocomplete: 'off', required: true});
  const boxes = products.map(p => h('label', {class: 'check'},
    h('input', {type: 'checkbox', name: 'products', value: p.productType, dataset: {product: p.productType}}), ' ', p.name));
  const contact = (id, label, type, auto) => h('div', {class: 'field'}, h('label', {for: 'eab-admin-' + id}, label),
    h('input', {type, id: 'eab-admin-' + id, name: 'admin-' + id, autocomplete: auto, required: true}));
  const admin = h('fieldset', {class: 'field', id: 'eab-admin'}, h('legend', {}, 'Admin contact of the orders (receives the certificates)'),
    contact('firstName', 'First name', 'text', 'given-name'), contact('lastName', 'Last name', 'text', 'family-name'),
    contact('email', 'Email', 'email', 'email'), contact('phone', 'Phone (+1.5555550100)', 'tel', 'tel'));
  const expires = h('input', {type: 'date', id: 'eab-expires', name: 'expiresAt', required: true,
    value: new Date(Date.now() + DEFAULT_DAYS * 86400000).toISOString().slice(0, 10)});
  const errors = h('div', {id: 'eab-errors', tabindex: '-1'});
  const form = h('form', {id: 'eab-form', novalidate: true},
    h('h2', {}, 'New key'),
    h('div', {class: 'field'}, h('label', {for: 'eab-customer'}, 'Customer'), customer,
      h('p', {class: 'hint'}, 'Your name for the customer the key is for.')),
    h('fieldset', {class: 'field', id: 'eab-products'}, h('legend', {}, 'Products the customer may order'), boxes),
    admin,
    h('div', {class: 'field'}, h('label', {for: 'eab-expires'}, 'Expires (end of day, UTC)'), expires),
    errors,
    h('button', {type: 'submit', id: 'eab-submit'}, 'Make key'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errors.replaceChildren();
    const field = (id) => form.querySelector('#eab-admin-' + id).value.trim();
    const adminContact = {firstName: field('firstName'), lastName: field('lastName'), email: field('email'), phone: field('phone')};
    const body = {customer: customer.value, products: $$('input[name=products]:checked', form).map(b => b.value),
      expiresAt: expires.value ? expires.value + 'T23:59:59Z' : null,
      contacts: Object.values(adminContact).some(v => v) ? {admin: adminContact} : null};
    const r = await api('POST', '/acme/eab-keys', body);
    if (!r.ok) {
      const p = r.data || {};
      const list = Array.isArray(p.errors) && p.errors.length ? p.errors : [p];
      errors.replaceChildren(h('div', {class: 'msg error', role: 'alert'}, h('p', {}, 'The key was not made:'),
        h('ul', {}, list.map(e => h('li', {dataset: {field: e.field || ''}}, (e.field ? e.field + ': ' : '') + (e.detail || problemText(p, r.status)))))));
      errors.focus();
      return;
    }
    // the page is drawn again with the new key in the list and, this once, its HMAC key above the form
    justMade = r.data;
    navigate('#/acme', {text: `Key ${r.data.kid} made for ${r.data.customer}.`, kind: 'info'});
  });
  return form;
}

function secretBox(k) {
  return h('div', {class: 'msg info', role: 'status', id: 'eab-secret'},
    h('p', {}, 'Give the customer these now: the HMAC key is not shown again.'),
    h('dl', {class: 'fields'}, h('dt', {}, 'Directory'), h('dd', {}, h('code', {}, location.origin + '/acme/directory')),
      h('dt', {}, 'Key id'), h('dd', {}, h('code', {id: 'eab-new-kid'}, k.kid)),
      h('dt', {}, 'HMAC key'), h('dd', {}, h('code', {id: 'eab-new-hmac'}, k.hmacKey))));
}

async function revoke(k) {
  const ok = await confirmDialog('Revoke key?', `Key ${k.kid} (${k.customer}) will bind no ACME account from now on.`, 'Revoke key', 'Keep key');
  if (!ok) return;
  const r = await api('DELETE', '/acme/eab-keys/' + encodeURIComponent(k.kid));
  navigate('#/acme', r.ok ? {text: `Key ${k.kid} revoked.`, kind: 'info'} : {text: problemText(r.data, r.status), kind: 'error'});
}
