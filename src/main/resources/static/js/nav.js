/*
 * Navigation state shared by the router (main.js) and the pages: which navigation is current
 * (stale async work checks its token), the page's auto-refresh timer, and a message carried to
 * the next page.
 */

let routeToken = 0;      // bumped on every navigation; stale async work checks it
let timer = null;        // the current page's auto-refresh
let flash = null;        // a message carried to the next page ({text, kind})

/** Starts a navigation: stops the previous page's refresh and returns the new page's token. */
export function newRoute() {
  stopRefresh();
  return ++routeToken;
}

/** @returns whether the page of this token is still the one shown */
export function isCurrent(token) {
  return token === routeToken;
}

/** Runs fn every ms milliseconds until the next navigation or stopRefresh(); replaces any earlier refresh. */
export function refreshEvery(ms, fn) {
  stopRefresh();
  timer = setInterval(fn, ms);
}

export function stopRefresh() {
  clearInterval(timer);
  timer = null;
}

/** The message for the page being shown (taken once). */
export function takeFlash() {
  const shown = flash;
  flash = null;
  return shown;
}

/** Goes to a hash route with an optional message ({text, kind}); the same route is shown again. */
export function navigate(hash, note) {
  flash = note || null;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
