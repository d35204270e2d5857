/*
 * The certificate of a COMPLETED order on its page: its facts (GET /certificates?orderId=), the
 * downloads (PEM chain, PKCS#7), a reissue for a new CSR and a revoke (issue 13 §1, §5).
 */
import {api, download, problemText} from '../api.js';
import {$, confirmDialog, dl, h, message, stateBadge, when} from '../ui.js';

/**
 * The facts of one certificate (GET /certificates item) as a definition list, with a Revoke
 * button while it can be revoked (onRevoke(c) asks and calls the API).
 */
export function certificateFacts(c, onRevoke) {
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
    // a revoke whose vendor answer was lost: the hub asks the vendor again and records it (route revocation-recovery)
    c.revocationRequestedAt ? ['Revocation', h('span', {}, 'asked of the vendor ', when(c.revocationRequestedAt),
      '; awaiting its confirmation'), 'cert-revocation-pending'] : null,
  ]), revocable && !c.revocationRequestedAt ? h('div', {class: 'actions'},
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
export async function revokeCertificate(c, status, done) {
  const select = h('select', {id: 'revoke-reason', 'aria-label': 'Reason'},
    REVOCATION_REASONS.map(([v, label]) => h('option', {value: v}, label)));
  const yes = await confirmDialog('Revoke this certificate?',
    `Certificate ${c.serialNumber} for ${(c.sans || []).join(', ')} will be revoked at the vendor. Browsers stop trusting it; this cannot be undone.`,
    'Revoke certificate', 'Keep certificate', h('label', {}, 'Reason ', select));
  if (!yes) return;
  status.replaceChildren(message('Working…', 'info'));
  const r = await api('POST', `/certificates/${encodeURIComponent(c.id)}/revoke`, {reason: select.value});
  const text = r.status === 202
    ? 'The vendor\'s answer was lost: the hub asks it again and records the revocation within minutes.'
    : `Certificate revoked (${r.data && r.data.revocationReason}).`;
  status.replaceChildren(r.ok ? message(text, r.status === 202 ? 'info' : 'ok') : message(problemText(r.data, r.status), 'error'));
  if (r.ok) await done();
}

/** Asks for the new CSR, then POST /orders/{id}/reissue (issue 13 §5): free within the paid term. */
export async function reissueOrder(o, status, reload) {
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

// format 'pem': the chain as PEM (leaf first); 'p7b': the same chain as DER PKCS#7 (RFC 2315), for IIS and Tomcat
export async function downloadCertificate(o, status, setCert, format) {
  status.replaceChildren(message('Fetching the certificate…', 'info'));
  const type = format === 'p7b' ? 'application/pkcs7-mime' : 'application/pem-certificate-chain';
  const got = await download(`/orders/${encodeURIComponent(o.id)}/certificate`, type);
  if (!got.ok) {
    status.replaceChildren(message(got.error, 'error'));
    return;
  }
  const url = URL.createObjectURL(got.blob);
  const name = o.domain.replace('*', 'star') + (format === 'p7b' ? '.p7b' : '.pem');
  setCert({url, name});
  const link = h('a', {id: 'certificate-link', href: url, download: name}, 'Save ' + name + ' again');
  const row = $('#certificate-link-row');
  if (row) row.replaceChildren(link);
  link.click();
  status.replaceChildren(message(`Certificate downloaded as ${name}.`, 'ok'));
}
