/*
 * Product names: the hub's catalog (GET /products) gives each product code its name
 * ("quickssl_premium" → "GeoTrust QuickSSL Premium"). Read once per key and kept; a product shows
 * by its name, its code in the title. A code the catalog no longer has shows as the code.
 */
import {api, apiKey} from './api.js';
import {h} from './ui.js';

let cached = null;       // {key, promise of Map code → name}

/** The catalog (code → product, as GET /products answers it), or an answer with ok false. */
export async function catalog() {
  const r = await api('GET', '/products');
  if (r.ok) remember(r.data);
  return r;
}

/** Map of product code → name, read once per key (an empty map when the catalog cannot be read). */
export function productNames() {
  const key = apiKey();
  if (!cached || cached.key !== key) {
    const entry = {key, promise: api('GET', '/products')
      .then(r => r.ok ? toMap(r.data) : forget(entry))
      .catch((e) => { forget(entry); throw e; })};
    cached = entry;
  }
  return cached.promise;
}

/** A product shown by its name (its code in the title), or the bare code when the catalog has no name for it. */
export function productLabel(code, names) {
  const label = names && names.get(code);
  return label ? h('span', {class: 'product', title: code, dataset: {product: code}}, label)
    : h('span', {class: 'product', dataset: {product: code}}, code);
}

function remember(products) {
  cached = {key: apiKey(), promise: Promise.resolve(toMap(products))};
}

function forget(entry) {
  if (cached === entry) cached = null;
  return new Map();
}

function toMap(products) {
  return new Map(products.map(p => [p.productType, p.name]));
}
