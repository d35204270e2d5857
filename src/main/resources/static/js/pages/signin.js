/* Sign-in page (#/signin): the API key is checked with GET /account and kept for this tab only. */
import {api, keepSession, problemText} from '../api.js';
import {$, h, message} from '../ui.js';

export function renderSignIn(el, shown) {
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
      keepSession(key, r.data.id);
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
