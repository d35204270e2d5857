/*
 * Certhub reseller dashboard: a small hash-routed page on the REST API (/api/v1, header
 * X-Api-Key; shapes in shared/CONTRACT.md). Native ES modules, no build step, no dependencies.
 * This module is the router: it shows the page of the hash and keeps the header in step.
 *
 * Routes: #/signin, #/orders?state=&by=&q=&page=, #/orders/{id}, #/new, #/account?page=,
 *         #/certificates?expiring=30&domain=&state=&page=, #/acme
 * Pages: pages/signin.js, orders.js (list), order.js (one order; its certificate in
 * order-certificate.js), new-order.js, certificates.js, account.js (balance and ledger), acme.js
 * (EAB keys for the customers' ACME clients).
 */
import {accountId, apiKey, signOut} from './api.js';
import {isCurrent, newRoute, takeFlash} from './nav.js';
import {$, $$, focusHeading, h, message} from './ui.js';
import {renderSignIn} from './pages/signin.js';
import {renderOrders} from './pages/orders.js';
import {renderOrder} from './pages/order.js';
import {renderNewOrder} from './pages/new-order.js';
import {renderAccount} from './pages/account.js';
import {renderCertificates} from './pages/certificates.js';
import {renderAcme} from './pages/acme.js';

function chrome(signedIn, page) {
  $('#nav').hidden = !signedIn;
  $('#signout').hidden = !signedIn;
  const who = $('#who');
  who.hidden = !signedIn;
  who.textContent = signedIn ? 'Account: ' + accountId() : '';
  for (const a of $$('#nav a')) {
    if (a.dataset.nav === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/orders';
  const [path, qs] = raw.split('?');
  return {path, params: new URLSearchParams(qs || '')};
}

async function route() {
  const token = newRoute();
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
  const el = document.getElementById('main');
  el.replaceChildren();
  const shown = takeFlash();
  try {
    if (path === '/signin') renderSignIn(el, shown);
    else if (path === '/orders') await renderOrders(el, params, token, shown);
    else if (m) await renderOrder(el, decodeURIComponent(m[1]), token, shown);
    else if (path === '/new') await renderNewOrder(el, token);
    else if (path === '/account') await renderAccount(el, params, token);
    else if (path === '/certificates') await renderCertificates(el, params, token);
    else if (path === '/acme') await renderAcme(el, token, shown);
    else el.append(h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '#/orders'}, 'Back to the orders')));
  } catch (e) {
    if (e.message !== 'signed out') {
      el.append(message('Something went wrong: ' + e.message, 'error'));
      console.error(e);
    }
  }
  if (isCurrent(token)) focusHeading();
}

// a module runs once the document is parsed (modules are deferred), so the page is there to start on
window.addEventListener('hashchange', route);
$('#signout').addEventListener('click', () => signOut('You are signed out; the key was removed from this tab.'));
route();
