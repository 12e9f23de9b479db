// Shared by the agent desktop and the supervisor page in the browser: DOM helpers, HTTP, sign-in, the hub and its
// errors. The words come from texts.js, durations and dates from format.js (both free of the DOM).
import { t, lang } from './texts.js';
import { formatDateTime } from './format.js';

/** The element with this id. */
export const $ = id => document.getElementById(id);

/** Fills the static markup: data-t (text), data-t-aria-label, data-t-title, data-t-placeholder. */
export function applyTexts(root = document) {
  document.documentElement.lang = lang();
  for (const el of root.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  for (const [attr, selector, data] of [
    ['aria-label', '[data-t-aria-label]', 'tAriaLabel'],
    ['title', '[data-t-title]', 'tTitle'],
    ['placeholder', '[data-t-placeholder]', 'tPlaceholder'],
  ]) {
    for (const el of root.querySelectorAll(selector)) el.setAttribute(attr, t(el.dataset[data]));
  }
}

/** Points the language link at the other language, returning to this page. */
export function setUpLanguageLink(link, returnUrl) {
  const other = t('meta.other_lang');
  link.href = '/language/' + encodeURIComponent(other) + '?returnUrl=' + encodeURI(returnUrl);
  link.lang = other;
  link.hreflang = other;
  link.textContent = t('meta.other_lang_name');
}

/**
 * Builds an element: h('button', {type: 'button', onclick: f, class: 'x', dataset: {n: 1}}, 'text', child…).
 * Strings become text nodes (never HTML), null/false children are skipped, arrays are flattened.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked' || name === 'selected' || name === 'disabled' || name === 'hidden') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A labelled form field: its label, an optional hint (id + "-hint", describing the control) and the control. */
export function field(id, labelKey, control, hintKey) {
  if (hintKey) control.setAttribute('aria-describedby', id + '-hint');
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)),
    hintKey ? h('p', { class: 'hint', id: id + '-hint' }, t(hintKey)) : null,
    control);
}

/** An empty alert for a form's messages. */
export function alertEl(id) {
  return h('p', { id, class: 'alert', role: 'alert', hidden: true });
}

/** Is the element laid out (not inside something hidden)? */
export function isVisible(el) {
  return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
}

/** A <time> element with a readable date and the ISO value. */
export function timeElement(iso, cls) {
  return h('time', { datetime: iso || null, class: cls || null }, formatDateTime(iso));
}

// ---------- HTTP ----------

/** Error thrown by api(): status and the problem+json detail, if any. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || String(status));
    this.status = status;
    this.detail = detail;
  }
}

async function antiforgeryToken() {
  const response = await fetch('/api/staff/antiforgery', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new ApiError(response.status, await problemDetail(response));
  const body = await response.json();
  return body.token;
}

async function problemDetail(response) {
  try {
    const type = response.headers.get('content-type') || '';
    if (type.includes('json')) {
      const body = await response.json();
      return body.detail || body.title || null;
    }
  } catch {
    // Not JSON: no detail.
  }
  return null;
}

/**
 * Calls the staff API. POSTs carry the antiforgery token (fetched fresh each time: it is tied to the
 * signed-in user, which changes at sign-in and sign-out). Returns the parsed JSON, or null for 204.
 * Throws ApiError (status 0 when the server cannot be reached).
 */
export async function api(method, url, body) {
  let response;
  try {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-TOKEN'] = await antiforgeryToken();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(0, null);
  }
  if (!response.ok) throw new ApiError(response.status, await problemDetail(response));
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : null;
}

/** GET /api/staff/me: the StaffView, or null when not signed in. Throws ApiError on other failures. */
export async function currentStaff() {
  try {
    return await api('GET', '/api/staff/me');
  } catch (error) {
    if (error.status === 401 || error.status === 403) return null;
    throw error;
  }
}

/** A readable message for a failed API call. */
export function apiErrorMessage(error) {
  if (error && error.detail) return error.detail;
  if (error && error.status === 0) return t('error.offline');
  if (error && error.status) return t('error.http', error.status);
  return t('error.generic');
}

/**
 * The server's text from a hub error ("…HubException: Case 1234567 is held by agent.fr."), or a
 * general message when the failure did not come from the server (connection lost, …).
 */
function hubErrorMessage(error) {
  const message = (error && (error.message || String(error))) || '';
  const marker = 'HubException: ';
  const at = message.lastIndexOf(marker);
  if (at >= 0) {
    const text = message.slice(at + marker.length).trim();
    if (text) return text;
  }
  return t('error.hub');
}

// ---------- hub ----------

/** Thrown by HubSession.invoke when the hub is not connected; its message is already readable. */
export class NotConnectedError extends Error {}

/** A readable message for a failed hub call: the server's words, or "not connected". */
export function errorText(error) {
  return error instanceof NotConnectedError ? error.message : hubErrorMessage(error);
}

// ---------- sign-in ----------

/**
 * Wires the sign-in form of a page. onSignedIn(staff) runs after a successful sign-in.
 * The form has #signin-user, #signin-password, #signin-error and a submit button.
 */
export function wireSignIn(form, onSignedIn) {
  const user = form.querySelector('#signin-user');
  const password = form.querySelector('#signin-password');
  const error = form.querySelector('#signin-error');
  const submit = form.querySelector('button[type=submit]');
  form.addEventListener('submit', async event => {
    event.preventDefault();
    showError(error, null);
    for (const input of [user, password]) input.removeAttribute('aria-invalid');
    const userName = user.value.trim();
    if (!userName || !password.value) {
      showError(error, t('signin.required'));
      (!userName ? user : password).setAttribute('aria-invalid', 'true');
      (!userName ? user : password).focus();
      return;
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const staff = await api('POST', '/api/staff/signin', { userName, password: password.value });
      password.value = '';
      await onSignedIn(staff);
    } catch (e) {
      showError(error, e.status === 401 ? (e.detail || t('signin.failed')) : apiErrorMessage(e));
      password.setAttribute('aria-invalid', 'true');
      password.select();
      password.focus();
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}

/** At page start: the staff member already signed in goes to enter(staff), anyone else to showSignIn(message). */
export async function resumeSession(enter, showSignIn) {
  let staff = null;
  try {
    staff = await currentStaff();
  } catch (error) {
    showSignIn(apiErrorMessage(error));
    return;
  }
  if (staff) await enter(staff, false);
  else showSignIn(null);
}

/**
 * The Sign out button: signs out (401: already signed out), then runs signedOut(); any other failure is shown in
 * #header-error and the page stays as it was.
 */
export async function signOutWith(button, signedOut) {
  const headerError = document.getElementById('header-error');
  button.disabled = true;
  showError(headerError, null);
  try {
    await api('POST', '/api/staff/signout');
  } catch (error) {
    if (error.status !== 401) {
      showError(headerError, apiErrorMessage(error));
      button.disabled = false;
      button.focus();
      return;
    }
  }
  button.disabled = false;
  await signedOut();
}

/** Shows (or clears, with null) a message in an alert element. */
export function showError(el, message) {
  if (!el) return;
  if (message) {
    el.textContent = message;
    el.hidden = false;
  } else {
    el.textContent = '';
    el.hidden = true;
  }
}

// ---------- connection state ----------

/** Shows the hub connection state (connected / connecting / reconnecting / disconnected) in el. */
export function showConnection(el, state) {
  el.dataset.state = state;
  replace(el,
    h('span', { class: 'conn-icon', 'aria-hidden': 'true' }, { connected: '●', connecting: '◐', reconnecting: '◐', disconnected: '○' }[state] || '○'),
    ' ',
    h('span', null, t('connection.' + state)));
}

/** A live-region announcer: each message is a new paragraph (so repeated messages are read again). */
export function announcer(region, keep = 5) {
  return message => {
    region.append(h('p', null, message));
    while (region.childElementCount > keep) region.firstElementChild.remove();
  };
}

/** Is the keyboard focus in a place where the person types (shortcuts are ignored there)? */
export function isTyping(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA') return true;
  if (tag === 'INPUT') {
    const type = (target.getAttribute('type') || 'text').toLowerCase();
    return !['button', 'submit', 'reset', 'checkbox', 'radio', 'range', 'color', 'file', 'image'].includes(type);
  }
  return false;
}

/** The letter of a key event, by key when it is a letter, else by physical key (Alt+letter on macOS). */
export function shortcutLetter(event) {
  if (event.key && /^[a-z]$/i.test(event.key)) return event.key.toLowerCase();
  const match = /^Key([A-Z])$/.exec(event.code || '');
  return match ? match[1].toLowerCase() : null;
}
