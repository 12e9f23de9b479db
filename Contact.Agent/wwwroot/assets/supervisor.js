// The supervisor page (GET /supervisor): queues, agents and today's volumes, live; reassigning a case.
import {
  loadTexts, t, codeText, localName, applyTexts, setUpLanguageLink, h, replace, formatDateTime,
  formatDuration, formatNumber, api, currentStaff, apiErrorMessage, hubErrorMessage, wireSignIn, showError,
  showConnection, announcer,
} from './common.js';

const $ = id => document.getElementById(id);

const state = {
  me: null,
  view: null,
  receivedAt: 0,
  connection: null,
  retryTimer: null,
};

let announceStatus = () => {};

class NotConnectedError extends Error {}

function errorText(error) {
  return error instanceof NotConnectedError ? error.message : hubErrorMessage(error);
}

async function boot() {
  await loadTexts();
  applyTexts();
  document.title = t('supervisor.title');
  setUpLanguageLink($('lang-link'), '/supervisor');
  announceStatus = announcer($('status-live'), 3);
  showConnection($('connection'), 'disconnected');
  wireSignIn($('signin-form'), staff => enter(staff, true));
  $('signout').addEventListener('click', signOutNow);
  $('reconnect').addEventListener('click', () => connectNow());
  $('reassign-form').addEventListener('submit', event => { event.preventDefault(); reassign(); });
  setInterval(tickWaits, 5000);
  document.body.classList.remove('loading');

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

function showSignIn(message) {
  for (const id of ['supervisor-view', 'forbidden-view', 'header-user']) $(id).hidden = true;
  $('signout').hidden = true;
  $('signin-view').hidden = false;
  showError($('signin-error'), message);
}

async function enter(staff, moveFocus) {
  state.me = staff;
  $('signin-view').hidden = true;
  $('header-user').hidden = false;
  $('signout').hidden = false;
  $('user-name').textContent = t('header.signed_in_as', staff.displayName || staff.userName);
  $('user-role').textContent = codeText('role', staff.role);
  const allowed = staff.role === 'supervisor' || staff.role === 'admin';
  $('forbidden-view').hidden = allowed;
  $('supervisor-view').hidden = !allowed;
  if (!allowed) {
    if (moveFocus) $('forbidden-heading').focus();
    return;
  }
  if (moveFocus) $('supervisor-heading').focus();
  await startHub();
}

async function signOutNow() {
  const button = $('signout');
  button.disabled = true;
  showError($('header-error'), null);
  try {
    await api('POST', '/api/staff/signout');
  } catch (error) {
    if (error.status !== 401) {
      showError($('header-error'), apiErrorMessage(error));
      button.disabled = false;
      button.focus();
      return;
    }
  }
  button.disabled = false;
  await stopHub();
  state.me = null;
  state.view = null;
  showSignIn(null);
  announceStatus(t('signin.signed_out'));
  $('signin-user').focus();
}

// ---------- hub ----------

async function startHub() {
  await stopHub();
  if (!window.signalR) {
    showError($('header-error'), t('error.no_signalr'));
    return;
  }
  const connection = new window.signalR.HubConnectionBuilder()
    .withUrl('/hubs/agent')
    .withAutomaticReconnect()
    .build();
  state.connection = connection;
  connection.on('SupervisorChanged', () => scheduleRefresh());
  // The hub may also send the desktop's events to supervisors: the counts they change come with SupervisorChanged.
  for (const name of ['QueueItemChanged', 'QueueItemRemoved', 'CaseChanged', 'ReferralChanged']) connection.on(name, () => {});
  connection.onreconnecting(() => { if (state.connection === connection) setConnectionState('reconnecting'); });
  connection.onreconnected(() => {
    if (state.connection !== connection) return;
    setConnectionState('connected');
    refresh();
  });
  connection.onclose(() => {
    if (state.connection !== connection) return;
    setConnectionState('disconnected');
    afterDisconnect();
  });
  await connectNow();
}

async function stopHub() {
  clearTimeout(state.retryTimer);
  const connection = state.connection;
  state.connection = null;
  if (connection) {
    try {
      await connection.stop();
    } catch {
      // Already stopped.
    }
  }
}

async function connectNow() {
  const connection = state.connection;
  if (!connection || connection.state !== 'Disconnected') return;
  clearTimeout(state.retryTimer);
  setConnectionState('connecting');
  try {
    await connection.start();
  } catch {
    if (state.connection !== connection) return;
    setConnectionState('disconnected');
    afterDisconnect();
    return;
  }
  if (state.connection !== connection) return;
  setConnectionState('connected');
  await refresh();
}

function setConnectionState(name) {
  showConnection($('connection'), name);
  $('reconnect').hidden = name !== 'disconnected';
}

async function afterDisconnect() {
  let staff;
  try {
    staff = await currentStaff();
  } catch {
    staff = undefined;
  }
  if (staff === null) {
    await stopHub();
    showSignIn(t('signin.session_ended'));
    $('signin-user').focus();
    return;
  }
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(() => connectNow(), 15000);
}

function invoke(method, ...args) {
  const connection = state.connection;
  if (!connection || connection.state !== 'Connected') {
    return Promise.reject(new NotConnectedError(t('error.not_connected')));
  }
  return connection.invoke(method, ...args);
}

// ---------- refresh (at most once per 500 ms) ----------

let lastRefresh = 0;
let refreshTimer = null;
let refreshing = false;
let refreshPending = false;

function scheduleRefresh() {
  if (refreshTimer) return;
  const wait = Math.max(0, lastRefresh + 500 - Date.now());
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refresh();
  }, wait);
}

async function refresh() {
  if (refreshing) {
    refreshPending = true;
    return;
  }
  refreshing = true;
  lastRefresh = Date.now();
  try {
    const view = await invoke('SupervisorSnapshot');
    showError($('header-error'), null);
    render(view);
  } catch (error) {
    showError($('header-error'), errorText(error));
  } finally {
    refreshing = false;
    if (refreshPending) {
      refreshPending = false;
      scheduleRefresh();
    }
  }
}

// ---------- rendering ----------

function render(view) {
  if (!view) return;
  state.view = view;
  state.receivedAt = Date.now();
  const now = new Date();
  const updated = $('updated-at');
  updated.dateTime = now.toISOString();
  updated.textContent = formatDateTime(now.toISOString());

  const queues = view.queues || [];
  replace($('queues-body'), queues.length
    ? queues.map((q, i) => h('tr', { class: q.waiting > 0 ? 'busy' : null },
      h('th', { scope: 'row' }, localName(q.name, q.code)),
      h('td', { class: 'num' }, formatNumber(q.waiting)),
      h('td', { class: 'num wait', dataset: { index: String(i) } }, waitText(q, 0))))
    : h('tr', null, h('td', { colspan: '3', class: 'empty' }, t('supervisor.no_queues'))));

  const agents = view.agents || [];
  replace($('agents-body'), agents.length
    ? agents.map(a => h('tr', null,
      h('th', { scope: 'row' }, a.displayName || a.userName),
      h('td', null, a.userName),
      h('td', null, codeText('role', a.role)),
      h('td', null, h('span', { class: 'badge state-' + a.state },
        h('span', { class: 'icon', 'aria-hidden': 'true' }, { available: '●', busy: '■', away: '○' }[a.state] || ''),
        codeText('state', a.state))),
      h('td', null, (a.currentCases || []).length
        ? h('ul', { class: 'inline-list' }, a.currentCases.map(n => h('li', null, n)))
        : t('supervisor.no_cases'))))
    : h('tr', null, h('td', { colspan: '5', class: 'empty' }, t('supervisor.no_agents'))));

  const volumes = view.volumesToday || [];
  replace($('volumes-body'), volumes.length
    ? volumes.map(v => h('tr', null,
      h('th', { scope: 'row' }, codeText('channel', v.channel)),
      h('td', { class: 'num' }, formatNumber(v.count))))
    : h('tr', null, h('td', { colspan: '2', class: 'empty' }, t('supervisor.no_volumes'))));
  const total = volumes.reduce((sum, v) => sum + (v.count || 0), 0);
  replace($('volumes-foot'), h('tr', null,
    h('th', { scope: 'row' }, t('supervisor.total')),
    h('td', { class: 'num' }, formatNumber(total))));

  // The agent choices for Reassign (keep the current choice).
  const select = $('reassign-agent');
  const chosen = select.value;
  const choices = agents.filter(a => a.role !== 'provider');
  replace(select,
    h('option', { value: '' }, t('supervisor.reassign_choose')),
    choices.map(a => h('option', { value: a.userName },
      t('supervisor.agent_option', a.displayName || a.userName, a.userName, codeText('state', a.state)))));
  if (chosen && choices.some(a => a.userName === chosen)) select.value = chosen;
}

function waitText(queue, elapsedSeconds) {
  if (!queue.waiting) return t('supervisor.no_wait');
  return formatDuration((queue.longestWaitSeconds || 0) + elapsedSeconds);
}

function tickWaits() {
  if (!state.view) return;
  const elapsed = (Date.now() - state.receivedAt) / 1000;
  const queues = state.view.queues || [];
  for (const cell of document.querySelectorAll('#queues-body td.wait')) {
    const queue = queues[Number(cell.dataset.index)];
    if (queue) cell.textContent = waitText(queue, elapsed);
  }
}

// ---------- reassign ----------

async function reassign() {
  const numberInput = $('reassign-number');
  const select = $('reassign-agent');
  const alert = $('reassign-error');
  const button = $('reassign-form').querySelector('button[type=submit]');
  const number = numberInput.value.trim();
  const userName = select.value;
  numberInput.removeAttribute('aria-invalid');
  select.removeAttribute('aria-invalid');
  showError(alert, null);
  $('reassign-done').hidden = true;
  if (!/^\d{7,10}$/.test(number)) {
    showError(alert, t('supervisor.reassign_number_invalid'));
    numberInput.setAttribute('aria-invalid', 'true');
    numberInput.focus();
    return;
  }
  if (!userName) {
    showError(alert, t('supervisor.reassign_agent_required'));
    select.setAttribute('aria-invalid', 'true');
    select.focus();
    return;
  }
  button.disabled = true;
  try {
    await invoke('Reassign', number, userName);
    numberInput.value = '';
    const done = $('reassign-done');
    done.textContent = t('supervisor.reassigned', number, userName);
    done.hidden = false;
    announceStatus(done.textContent);
    scheduleRefresh();
  } catch (error) {
    showError(alert, errorText(error));
  } finally {
    button.disabled = false;
    if (document.activeElement === document.body) button.focus();
  }
}

boot();
