/*
 * New order (#/new): products from GET /products, the CSR pasted or uploaded and checked at once
 * (POST /csr/parse), approvers from GET /approvers, the admin contact (and the organization for
 * OV/EV); Save (PENDING) or Submit (IN_PROGRESS); the API's field errors next to their fields.
 */
import {api, query, problemText} from '../api.js';
import {isCurrent, navigate} from '../nav.js';
import {catalog} from '../products.js';
import {$, $$, dl, h, message, money} from '../ui.js';

export async function renderNewOrder(el, token) {
  document.title = 'New order · Certhub';
  const pr = await catalog();
  if (!isCurrent(token)) return;
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
    // only the DCV methods the product's vendor takes (an ACME product has no approver email)
    const methods = p.dcvMethods || ['email', 'dns', 'http'];
    for (const o of dcvMethod.options) o.disabled = !methods.includes(o.value);
    if (!methods.includes(dcvMethod.value)) dcvMethod.value = methods[0];
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
    if (seq !== csrSeq || !isCurrent(token)) return;
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
    if (seq !== apSeq || !isCurrent(token)) return;
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
