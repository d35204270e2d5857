/*
 * One order (#/orders/{id}): every field, the DCV details, delivery, contacts, the history as a
 * timeline and the actions its state allows; follows the order while it is in flight.
 */
import {api, query, problemText} from '../api.js';
import {isCurrent, navigate, refreshEvery, stopRefresh} from '../nav.js';
import {productLabel, productNames} from '../products.js';
import {$, $$, confirmDialog, dl, h, message, money, stateBadge, when} from '../ui.js';
import {certificateFacts, downloadCertificate, reissueOrder, revokeCertificate} from './order-certificate.js';
import {REFRESH_MS} from './orders.js';

export async function renderOrder(el, id, token, shown) {
  document.title = 'Order · Certhub';
  const status = h('div', {id: 'action-message', 'aria-live': 'polite'}, shown ? message(shown.text, shown.kind) : null);
  const body = h('div', {id: 'order-body'});
  el.append(h('p', {class: 'back'}, h('a', {href: '#/orders'}, '← Orders')), body);
  let last = null;
  let cert = null;     // {url, name} of a downloaded certificate, kept across refreshes
  let facts = null;    // the order's newest certificate from GET /certificates?orderId= (issue 13 §1), once COMPLETED
  let factsOf = null;  // term.certificatesIssued when the facts were read

  const load = async () => {
    const [r, names] = await Promise.all([api('GET', '/orders/' + encodeURIComponent(id)), productNames()]);
    if (!isCurrent(token)) return;
    if (!r.ok) {
      stopRefresh();
      body.replaceChildren(h('h1', {}, r.status === 404 ? 'Order not found' : 'Order'),
        message(r.status === 404 ? 'There is no order ' + id + ' in this account.' : problemText(r.data, r.status), 'error'));
      return;
    }
    const text = JSON.stringify(r.data);
    if (text !== last) {
      last = text;
      const focused = document.activeElement && document.activeElement.id;
      body.replaceChildren(...orderView(r.data, names, status, load, () => cert, (c) => { cert = c; }).filter(Boolean));
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus({preventScroll: true});
    }
    const o = r.data;
    // a reissued certificate (issue 13 §2) replaces the facts shown
    if (facts && o.term && o.term.certificatesIssued !== factsOf) { facts = null; const slot0 = $('#certificate-facts'); if (slot0) slot0.replaceChildren(); }
    if (o.state === 'COMPLETED' && !facts) {
      factsOf = o.term ? o.term.certificatesIssued : null;
      const c = await api('GET', '/certificates' + query({orderId: id, size: 1}));
      if (!isCurrent(token)) return;
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
    if (busy) refreshEvery(REFRESH_MS, () => { if (!$('#confirm').open) load().catch(() => {}); }); else stopRefresh();
  };
  await load();
}

function orderView(o, names, status, reload, getCert, setCert) {
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
      ['Next reissue', o.term.nextReissueAt
        ? h('span', {}, when(o.term.nextReissueAt), o.term.nextReissueNeedsDcv ? ' · needs fresh domain validation (see the warnings)' : '')
        : 'None: the certificate lasts to the end of the term', 'term-next-reissue'],
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
      ['Product', productLabel(o.productType, names), 'order-product'],
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
      o.vendorRetry ? ['Vendor retries', h('span', {}, `${o.vendorRetry.attempts} failed; next attempt `,
        o.vendorRetry.nextAttemptAt ? when(o.vendorRetry.nextAttemptAt) : 'now'), 'order-vendor-retry'] : null,
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
