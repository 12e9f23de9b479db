// The agent desktop (GET /agent): sign-in, the live queue, my cases, the case pane, and the provider
// users' referrals. Talks to /api/staff/* and the SignalR hub /hubs/agent.
import {
  loadTexts, t, codeText, lang, localName, applyTexts, setUpLanguageLink, h, replace, formatDateTime,
  timeElement, formatAge, formatDuration, api, currentStaff, apiErrorMessage, hubErrorMessage, wireSignIn, showError,
  showConnection, announcer, isTyping, shortcutLetter, HubSession, NotConnectedError,
} from './common.js';
import { referralPanel } from './referral.js';

const $ = id => document.getElementById(id);

const PRIORITY_RANK = { urgent: 0, high: 1, normal: 2, low: 3 };
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const CLOSED = new Set(['resolved', 'closed']);
const OPEN_REFERRAL = new Set(['sent', 'accepted']);

const state = {
  me: null,
  queue: [],
  mine: [],
  referrals: [],
  categories: [],
  queues: [],
  providers: [],
  openCase: null,
};

let announceQueue = () => {};
let announceStatus = () => {};


function errorText(error) {
  return error instanceof NotConnectedError ? error.message : hubErrorMessage(error);
}

// ---------- start ----------

async function boot() {
  await loadTexts();
  applyTexts();
  document.title = t('agent.title');
  setUpLanguageLink($('lang-link'), '/agent');
  announceQueue = announcer($('queue-live'));
  announceStatus = announcer($('status-live'), 3);
  showConnection($('connection'), 'disconnected');
  wireStatic();
  document.body.classList.remove('loading');

  let staff = null;
  try {
    staff = await currentStaff();
  } catch (error) {
    showSignIn(apiErrorMessage(error));
    return;
  }
  if (staff) await enterDesktop(staff, false);
  else showSignIn(null);
}

function wireStatic() {
  wireSignIn($('signin-form'), staff => enterDesktop(staff, true));
  $('signout').addEventListener('click', signOutNow);
  $('claim-next').addEventListener('click', claimNext);
  $('state-select').addEventListener('change', changeState);
  $('reconnect').addEventListener('click', () => connectNow());
  document.addEventListener('keydown', onShortcut);
  setInterval(tickAges, 5000);
  setInterval(tickSla, 15000);
}

function showSignIn(message) {
  $('desktop-view').hidden = true;
  $('header-user').hidden = true;
  $('signout').hidden = true;
  $('signin-view').hidden = false;
  document.body.classList.remove('desktop-mode');
  document.title = t('agent.title_signin');
  showError($('signin-error'), message);
}

async function enterDesktop(staff, moveFocus) {
  state.me = staff;
  $('signin-view').hidden = true;
  $('desktop-view').hidden = false;
  document.body.classList.add('desktop-mode');
  $('header-user').hidden = false;
  $('signout').hidden = false;
  showError($('header-error'), null);
  document.title = t('agent.title');
  const provider = isProvider();
  $('agent-view').hidden = provider;
  $('referrals-view').hidden = !provider;
  renderHeader();
  renderAll();
  if (moveFocus) (provider ? $('referrals-heading') : $('claim-next')).focus();
  await startHub();
}

function isProvider() {
  return state.me && state.me.role === 'provider';
}

function resetState() {
  Object.assign(state, { me: null, queue: [], mine: [], referrals: [], categories: [], queues: [], providers: [], openCase: null });
  closeCasePane();
  renderAll();
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
  resetState();
  showSignIn(null);
  announceStatus(t('signin.signed_out'));
  $('signin-user').focus();
}

// ---------- hub ----------

const hub = new HubSession({
  handlers: {
    QueueItemChanged: item => onQueueItemChanged(item),
    QueueItemRemoved: number => onQueueItemRemoved(number),
    CaseChanged: number => onCaseChanged(number),
    ReferralChanged: referral => onReferralChanged(referral),
    SupervisorChanged: () => {}, // for the supervisor page
    Resync: () => refreshSnapshot(),
  },
  onState: name => setConnectionState(name),
  onConnected: () => refreshSnapshot(),
  onSessionEnded: () => {
    resetState();
    showSignIn(t('signin.session_ended'));
    $('signin-user').focus();
  },
});

async function startHub() {
  if (!await hub.start()) {
    showConnection($('connection'), 'disconnected');
    showError($('header-error'), t('error.no_signalr'));
  }
}

const stopHub = () => hub.stop();
const connectNow = () => hub.connectNow();
const invoke = (method, ...args) => hub.invoke(method, ...args);

function setConnectionState(name) {
  showConnection($('connection'), name);
  $('reconnect').hidden = name !== 'disconnected';
  document.body.dataset.connection = name;
}

async function refreshSnapshot() {
  let snapshot;
  try {
    snapshot = await invoke('Snapshot');
  } catch (error) {
    showError($('header-error'), errorText(error));
    return;
  }
  showError($('header-error'), null);
  applySnapshot(snapshot);
}

function applySnapshot(snapshot) {
  if (!snapshot) return;
  if (snapshot.me) state.me = snapshot.me;
  state.queue = (snapshot.queue || []).slice();
  state.mine = (snapshot.mine || []).slice();
  state.referrals = (snapshot.referrals || []).slice();
  state.categories = snapshot.categories || [];
  state.queues = snapshot.queues || [];
  state.providers = snapshot.providers || [];
  const provider = isProvider();
  $('agent-view').hidden = provider;
  $('referrals-view').hidden = !provider;
  renderHeader();
  renderAll();
  if (state.openCase) {
    refreshOpenCase(state.openCase.number);
  }
}

function renderAll() {
  renderQueue();
  renderMine();
  renderReferrals();
}

// ---------- header ----------

function renderHeader() {
  const me = state.me;
  if (!me) return;
  $('user-name').textContent = t('header.signed_in_as', me.displayName || me.userName);
  $('user-role').textContent = codeText('role', me.role);
  $('state-select').value = me.state || 'available';
  $('supervisor-link').hidden = !(me.role === 'supervisor' || me.role === 'admin');
  $('provider-name').textContent = me.providerName ? localName(me.providerName) : '';
}

async function changeState() {
  const select = $('state-select');
  const previous = state.me ? state.me.state : 'available';
  const value = select.value;
  select.disabled = true;
  showError($('header-error'), null);
  try {
    const staff = await invoke('SetState', value);
    if (staff) state.me = staff;
    else if (state.me) state.me.state = value;
    announceStatus(t('header.state_changed', codeText('state', state.me.state)));
  } catch (error) {
    showError($('header-error'), errorText(error));
    if (state.me) state.me.state = previous;
  } finally {
    select.disabled = false;
    renderHeader();
    if (document.activeElement === document.body) select.focus();
  }
}

// ---------- actions ----------

/**
 * Runs one hub action: disables its controls, clears its alert, and shows the server's message in
 * that alert on failure (the UI is left as it was). Returns {ok, value}.
 */
async function runAction(controls, alert, action) {
  const focused = document.activeElement;
  const list = controls.filter(Boolean);
  const before = list.map(c => c.disabled);
  list.forEach(c => { c.disabled = true; });
  showError(alert, null);
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    showError(alert, errorText(error));
    return { ok: false };
  } finally {
    list.forEach((c, i) => { c.disabled = before[i]; });
    if (focused && focused.isConnected && isVisible(focused) && !focused.disabled
        && (document.activeElement === document.body || document.activeElement === null)) {
      focused.focus();
    }
  }
}

function isVisible(el) {
  return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
}

async function claimNext() {
  if (isProvider() || !state.me) return;
  const button = $('claim-next');
  const result = await runAction([button], $('queue-error'), () => invoke('ClaimNext'));
  if (!result.ok) return;
  if (!result.value) {
    showError($('queue-error'), t('queue.none_waiting'));
    return;
  }
  acceptCase(result.value);
  showCase(result.value, true);
  announceStatus(t('done.claimed', result.value.number));
}

async function claim(number, button, alert) {
  const result = await runAction([button], alert, () => invoke('Claim', number));
  if (!result.ok || !result.value) return;
  acceptCase(result.value);
  showCase(result.value, true);
  announceStatus(t('done.claimed', result.value.number));
}

async function openCase(number, button) {
  const result = await runAction([button], $('mine-error'), () => invoke('OpenCase', number));
  if (!result.ok || !result.value) return;
  showCase(result.value, true);
}

/** Brings the lists in line with a case the server just returned. */
function acceptCase(detail) {
  upsertItem(toQueueItem(detail), false);
  renderQueue();
  renderMine();
}

function toQueueItem(detail) {
  return {
    number: detail.number,
    line: detail.line,
    language: detail.language,
    queue: detail.queue,
    category: detail.category,
    categoryName: detail.categoryName,
    priority: detail.priority,
    status: detail.status,
    channel: detail.channel,
    createdAt: detail.createdAt,
    assignedTo: detail.assignedTo,
    address: detail.address,
    firstResponseDueAt: detail.firstResponseDueAt,
    resolutionDueAt: detail.resolutionDueAt,
    firstResponseWarningAt: detail.firstResponseWarningAt,
    resolutionWarningAt: detail.resolutionWarningAt,
    order: detail.order,
    paused: !!detail.paused,
    firstResponseAt: detail.firstResponseAt,
    crisis: !!detail.crisis,
    followUp: !!(detail.informationReferral && detail.informationReferral.followUps
      .some(f => f.status === 'due' || f.status === 'answered_no' || f.status === 'unanswered')),
  };
}

// ---------- queue and my cases ----------

/** The server's order (crisis and priority, then age): the order "Claim next case" takes them in. */
function compareQueue(a, b) {
  const oa = String(a.order || '');
  const ob = String(b.order || '');
  if (oa !== ob) return oa < ob ? -1 : 1;
  return String(a.number) < String(b.number) ? -1 : String(a.number) > String(b.number) ? 1 : 0;
}

function belongsInQueue(item) {
  return (item.assignedTo === null || item.assignedTo === undefined) && !CLOSED.has(item.status);
}

function belongsInMine(item) {
  return !!state.me && item.assignedTo === state.me.userName && !CLOSED.has(item.status);
}

/** Upserts a QueueItem in the queue and my cases; announces new arrivals in the queue if asked. */
function upsertItem(item, announce) {
  const at = state.queue.findIndex(q => q.number === item.number);
  if (belongsInQueue(item)) {
    if (at >= 0) state.queue.splice(at, 1);
    const insertAt = state.queue.findIndex(q => compareQueue(item, q) < 0);
    state.queue.splice(insertAt < 0 ? state.queue.length : insertAt, 0, item);
    if (at < 0 && announce) {
      announceQueue(t(item.status === 'new' ? 'live.new_case' : 'live.case_returned', item.number, item.queue));
    }
  } else if (at >= 0) {
    state.queue.splice(at, 1);
  }

  const mineAt = state.mine.findIndex(q => q.number === item.number);
  if (belongsInMine(item)) {
    if (mineAt >= 0) state.mine[mineAt] = item;
    else state.mine.push(item);
  } else if (mineAt >= 0) {
    state.mine.splice(mineAt, 1);
  }
}

function onQueueItemChanged(item) {
  if (!item || !state.me) return;
  upsertItem(item, true);
  renderQueue();
  renderMine();
  const open = state.openCase;
  if (open && open.number === item.number
      && (open.assignedTo !== item.assignedTo || open.status !== item.status || open.priority !== item.priority
        || open.category !== item.category || open.queue !== item.queue)) {
    scheduleCaseRefresh(item.number);
  }
}

function onQueueItemRemoved(number) {
  state.queue = state.queue.filter(q => q.number !== number);
  state.mine = state.mine.filter(q => q.number !== number);
  renderQueue();
  renderMine();
}

/** Re-renders a list of keyed rows, keeping the keyboard focus on the same row (or its neighbour). */
function renderKeyed(list, rows, fallback) {
  const active = document.activeElement;
  let focusedId = null;
  let focusedIndex = -1;
  if (active && list.contains(active)) {
    focusedId = active.id;
    focusedIndex = Array.from(list.querySelectorAll('button')).indexOf(active);
  }
  replace(list, rows);
  if (focusedId !== null) {
    const same = focusedId && document.getElementById(focusedId);
    if (same) same.focus();
    else {
      const buttons = list.querySelectorAll('button');
      if (buttons.length) buttons[Math.min(focusedIndex, buttons.length - 1)].focus();
      else fallback.focus();
    }
  }
}

function renderQueue() {
  const list = $('queue-list');
  state.queue.sort(compareQueue);
  renderKeyed(list, state.queue.map(item => h('li', null,
    h('button', {
      type: 'button',
      id: 'queue-' + item.number,
      class: 'case-row priority-' + item.priority,
      onclick: event => claim(item.number, event.currentTarget, $('queue-error')),
    }, rowContent(item, false)))), $('claim-next'));
  $('queue-empty').hidden = state.queue.length > 0;
  $('queue-count').textContent = t('queue.count', state.queue.length);
}

function renderMine() {
  const list = $('mine-list');
  const openNumber = state.openCase ? state.openCase.number : null;
  renderKeyed(list, state.mine.map(item => h('li', null,
    h('button', {
      type: 'button',
      id: 'mine-' + item.number,
      class: 'case-row priority-' + item.priority,
      'aria-current': item.number === openNumber ? 'true' : null,
      onclick: event => openCase(item.number, event.currentTarget),
    }, rowContent(item, true)))), $('claim-next'));
  $('mine-empty').hidden = state.mine.length > 0;
  $('mine-count').textContent = t('mine.count', state.mine.length);
}

// A visual separator; the spaces around it stay in the accessible name.
const sep = () => [' ', h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'), ' '];

function rowContent(item, showStatus) {
  return [
    h('span', { class: 'row-top' },
      h('span', { class: 'number' }, item.number), ' ',
      item.crisis ? [crisisBadge(), ' '] : null,
      item.followUp ? [h('span', { class: 'badge follow-up' }, t('ir.follow_up_badge')), ' '] : null,
      priorityBadge(item.priority),
      showStatus || item.status !== 'new' ? [' ', statusBadge(item.status)] : null),
    h('span', { class: 'row-category' }, localName(item.categoryName, item.category)),
    h('span', { class: 'row-meta' },
      h('span', { class: 'age', dataset: { created: item.createdAt || '' } }, formatAge(item.createdAt)),
      sep(), codeText('channel', item.channel),
      sep(), t('case.line_language', item.line, codeText('language', item.language))),
    slaRow(item, showStatus),
    item.address ? h('span', { class: 'row-address' }, item.address) : null,
  ];
}

// ---------- service-standard clocks ----------

/**
 * The clock a row shows: the first response due time while the case waits for its first response (queue rows),
 * the resolution due time once someone holds it. {kind, due, warn, paused, state}; state is null without a due time.
 * The server sends when each clock falls at risk (its policy's warning percent) and is due; this only compares.
 */
function slaOf(item, held, now = Date.now()) {
  const firstResponse = !held && !item.firstResponseAt && item.firstResponseDueAt;
  const due = firstResponse ? item.firstResponseDueAt : item.resolutionDueAt;
  const warn = firstResponse ? item.firstResponseWarningAt : item.resolutionWarningAt;
  const kind = firstResponse ? 'first_response' : 'resolution';
  if (item.paused) return { kind, due, warn, paused: true, state: 'paused' };
  return { kind, due, warn, paused: false, state: slaState(warn, due, now) };
}

/** on_time, at_risk (past the warning time the server gave) or overdue (past the due time); null without a due time. */
function slaState(warnIso, dueIso, now = Date.now()) {
  if (!dueIso) return null;
  const due = new Date(dueIso).getTime();
  if (Number.isNaN(due)) return null;
  if (now >= due) return 'overdue';
  const warn = warnIso ? new Date(warnIso).getTime() : NaN;
  return !Number.isNaN(warn) && now >= warn ? 'at_risk' : 'on_time';
}

/** "3 h 20 min left" or "overdue by 45 min". */
function slaTimeText(dueIso, now = Date.now()) {
  const left = (new Date(dueIso).getTime() - now) / 1000;
  return left > 0 ? t('sla.left', formatDuration(left)) : t('sla.overdue_by', formatDuration(-left));
}

/**
 * A live clock element: its words (never colour alone: "At risk" / "Overdue" labels) are filled from its data
 * attributes now and every 15 s by tickSla.
 */
function slaElement(dataset, cls) {
  const el = h('span', { class: 'sla ' + (cls || ''), dataset });
  fillSla(el, Date.now());
  return el;
}

function fillSla(el, now) {
  const d = el.dataset;
  const paused = d.paused === 'true';
  const state = paused ? 'paused' : slaState(d.warn, d.due, now);
  el.classList.remove('sla-on_time', 'sla-at_risk', 'sla-overdue', 'sla-paused');
  if (state) el.classList.add('sla-' + state);
  const parts = [];
  if (d.kind) parts.push(h('span', { class: 'sla-kind' }, t('sla.' + d.kind + '_label')), ' ');
  if (paused) {
    parts.push(h('span', { class: 'sla-label' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⏸'), t('sla.paused')));
  } else {
    if (state === 'at_risk' || state === 'overdue') {
      parts.push(h('span', { class: 'sla-label' },
        h('span', { class: 'icon', 'aria-hidden': 'true' }, state === 'overdue' ? '⏰' : '⚠'),
        t('sla.' + state)), ' ');
    }
    parts.push(h('span', { class: 'sla-time' }, slaTimeText(d.due, now)));
  }
  replace(el, parts);
}

/** The clock line of a queue or my-cases row; nothing when no service standard applies. */
function slaRow(item, held) {
  const sla = slaOf(item, held);
  if (!sla.paused && !sla.state) return null;
  return slaElement({ kind: sla.kind, due: sla.due || '', warn: sla.warn || '', paused: String(sla.paused) }, 'row-sla');
}

function tickSla() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.sla[data-due]')) fillSla(el, now);
}

function priorityBadge(priority) {
  return h('span', { class: 'badge priority priority-' + priority },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, { urgent: '‼', high: '!', normal: '', low: '↓' }[priority] || ''),
    codeText('priority', priority));
}

function crisisBadge() {
  return h('span', { class: 'badge crisis' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⚠'), t('ir.crisis_badge'));
}

function statusBadge(status) {
  return h('span', { class: 'badge status status-' + status }, codeText('status', status));
}

function tickAges() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.age[data-created]')) {
    if (el.dataset.created) el.textContent = formatAge(el.dataset.created, now);
  }
}

// ---------- case pane ----------

/** The open case pane: its number and its persistent form controls (kept while the case stays open). */
let pane = null;
let refreshTimer = null;
let refreshing = false;
let refreshAgain = false;

function closeCasePane() {
  state.openCase = null;
  pane = null;
  clearTimeout(refreshTimer);
  $('case-heading').textContent = t('case.pane_heading');
  $('case-placeholder').hidden = false;
  showError($('case-pane-msg'), null);
  replace($('case-body'));
  $('case-body').hidden = true;
  renderMine();
}

function onCaseChanged(number) {
  if (state.openCase && state.openCase.number === number) scheduleCaseRefresh(number);
}

function scheduleCaseRefresh(number) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refreshOpenCase(number), 150);
}

async function refreshOpenCase(number) {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    const detail = await invoke('OpenCase', number);
    if (state.openCase && state.openCase.number === number && detail) {
      showError($('case-pane-msg'), null);
      showCase(detail, false);
    }
  } catch (error) {
    if (state.openCase && state.openCase.number === number) showError($('case-pane-msg'), errorText(error));
  } finally {
    refreshing = false;
    if (refreshAgain) {
      refreshAgain = false;
      if (state.openCase) refreshOpenCase(state.openCase.number);
    }
  }
}

function showCase(detail, moveFocus) {
  const same = pane && pane.number === detail.number;
  state.openCase = detail;
  if (!same) {
    showError($('case-pane-msg'), null);
    buildCasePane(detail);
  }
  updateCasePane(detail);
  renderMine();
  if (moveFocus) {
    $('case-heading').focus();
    $('case-pane').scrollTop = 0;
  }
}

function heldByMe(detail) {
  return !!state.me && detail.assignedTo === state.me.userName;
}

function field(id, labelKey, control, hintKey) {
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)),
    hintKey ? h('p', { class: 'hint', id: id + '-hint' }, t(hintKey)) : null,
    control);
}

function alertEl(id) {
  return h('p', { id, class: 'alert', role: 'alert', hidden: true });
}

function buildCasePane(detail) {
  const number = detail.number;
  const p = { number };
  pane = p;

  $('case-placeholder').hidden = true;

  // Header: badges, who holds it, Release / Claim.
  p.badges = h('p', { class: 'case-badges' });
  p.holder = h('p', { class: 'holder' });
  p.release = h('button', { type: 'button', class: 'secondary' }, t('case.release'));
  p.claim = h('button', { type: 'button', class: 'primary' }, t('case.claim'));
  p.answer = h('button', { type: 'button', class: 'primary' }, t('case.answer'));
  p.answer.addEventListener('click', () => answerCall(p));
  p.headAlert = alertEl('case-head-alert');
  p.release.addEventListener('click', () => releaseCase(p));
  p.claim.addEventListener('click', () => claimOpen(p));

  // Information column (re-rendered on every update).
  p.info = h('div', { class: 'case-info' });

  // Add note.
  p.noteText = h('textarea', { id: 'note-text', rows: 3, 'aria-keyshortcuts': 'Alt+M' });
  p.noteAlert = alertEl('note-alert');
  p.noteButton = h('button', { type: 'submit', class: 'primary' }, t('note.add'));
  p.noteForm = h('form', { class: 'action', novalidate: true, 'aria-labelledby': 'note-heading' },
    h('h3', { id: 'note-heading' }, t('note.heading')),
    field('note-text', 'note.label', p.noteText, 'note.hint'),
    p.noteAlert, p.noteButton);
  p.noteText.setAttribute('aria-describedby', 'note-text-hint');
  p.noteForm.addEventListener('submit', event => { event.preventDefault(); addNote(p); });

  // Outcome: waiting on resident, resolve, close.
  p.outcomeText = h('textarea', { id: 'outcome-text', rows: 3, 'aria-describedby': 'outcome-text-hint', 'aria-keyshortcuts': 'Alt+R' });
  p.outcomeAlert = alertEl('outcome-alert');
  p.waiting = h('button', { type: 'submit', class: 'secondary', value: 'waiting' }, t('outcome.waiting'));
  p.resolve = h('button', { type: 'submit', class: 'primary', value: 'resolve' }, t('outcome.resolve'));
  p.close = h('button', { type: 'submit', class: 'secondary', value: 'close' }, t('outcome.close'));
  p.outcomeForm = h('form', { class: 'action', novalidate: true, 'aria-labelledby': 'outcome-heading' },
    h('h3', { id: 'outcome-heading' }, t('outcome.heading')),
    field('outcome-text', 'outcome.label', p.outcomeText, 'outcome.hint'),
    p.outcomeAlert,
    h('div', { class: 'buttons' }, p.waiting, p.resolve, p.close));
  p.outcomeForm.addEventListener('submit', event => {
    event.preventDefault();
    const which = event.submitter ? event.submitter.value : 'resolve';
    outcome(p, which);
  });

  // Refer.
  p.referSuggested = h('div', { class: 'checks' });
  p.referOthers = h('div', { class: 'checks' });
  p.referOthersBox = h('details', { class: 'others' }, h('summary', null, t('refer.other_providers')), p.referOthers);
  p.referText = h('textarea', { id: 'refer-text', rows: 2, 'aria-describedby': 'refer-text-hint' });
  p.referAlert = alertEl('refer-alert');
  p.referButton = h('button', { type: 'submit', class: 'primary' }, t('refer.submit'));
  p.referForm = h('form', { class: 'action', novalidate: true, 'aria-labelledby': 'refer-heading' },
    h('h3', { id: 'refer-heading' }, t('refer.heading')),
    h('fieldset', null,
      h('legend', null, t('refer.providers_legend')),
      h('p', { class: 'hint' }, t('refer.providers_hint')),
      p.referSuggested, p.referOthersBox),
    field('refer-text', 'refer.note_label', p.referText, 'refer.note_hint'),
    p.referAlert, p.referButton);
  p.referForm.addEventListener('submit', event => { event.preventDefault(); refer(p); });

  // Possible duplicates.
  p.duplicates = h('div');
  p.duplicatesAlert = alertEl('duplicates-alert');
  p.duplicatesSection = h('section', { class: 'action', 'aria-labelledby': 'duplicates-heading' },
    h('h3', { id: 'duplicates-heading' }, t('duplicates.heading')),
    h('p', { class: 'hint' }, t('duplicates.hint')),
    p.duplicatesAlert, p.duplicates);

  // Change category / priority / location.
  p.category = h('select', { id: 'change-category' });
  p.categoryAlert = alertEl('category-alert');
  p.categoryButton = h('button', { type: 'submit', class: 'secondary' }, t('change.category_submit'));
  p.categoryForm = h('form', { class: 'inline-form', novalidate: true },
    field('change-category', 'change.category', p.category), p.categoryAlert, p.categoryButton);
  p.categoryForm.addEventListener('submit', event => { event.preventDefault(); changeCategory(p); });

  p.priority = h('select', { id: 'change-priority' },
    PRIORITIES.map(code => h('option', { value: code }, codeText('priority', code))));
  p.priorityAlert = alertEl('priority-alert');
  p.priorityButton = h('button', { type: 'submit', class: 'secondary' }, t('change.priority_submit'));
  p.priorityForm = h('form', { class: 'inline-form', novalidate: true },
    field('change-priority', 'change.priority', p.priority), p.priorityAlert, p.priorityButton);
  p.priorityForm.addEventListener('submit', event => { event.preventDefault(); changePriority(p); });

  p.address = h('input', { id: 'change-address', type: 'text', autocomplete: 'off' });
  p.latitude = h('input', { id: 'change-latitude', type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'short' });
  p.longitude = h('input', { id: 'change-longitude', type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'short' });
  p.locationAlert = alertEl('location-alert');
  p.locationButton = h('button', { type: 'submit', class: 'secondary' }, t('change.location_submit'));
  p.locationForm = h('form', { novalidate: true },
    h('fieldset', null,
      h('legend', null, t('change.location')),
      field('change-address', 'change.address', p.address),
      h('div', { class: 'pair' },
        field('change-latitude', 'change.latitude', p.latitude),
        field('change-longitude', 'change.longitude', p.longitude)),
      h('p', { class: 'hint' }, t('change.coordinates_hint'))),
    p.locationAlert, p.locationButton);
  p.locationForm.addEventListener('submit', event => { event.preventDefault(); changeLocation(p); });

  p.changeSection = h('section', { class: 'action', 'aria-labelledby': 'change-heading' },
    h('h3', { id: 'change-heading' }, t('change.heading')),
    p.categoryForm, p.priorityForm, p.locationForm);

  // Transfer.
  p.transferQueue = h('select', { id: 'transfer-queue' });
  p.transferAlert = alertEl('transfer-alert');
  p.transferButton = h('button', { type: 'submit', class: 'secondary' }, t('transfer.submit'));
  p.transferForm = h('form', { class: 'action', novalidate: true, 'aria-labelledby': 'transfer-heading' },
    h('h3', { id: 'transfer-heading' }, t('transfer.heading')),
    field('transfer-queue', 'transfer.queue', p.transferQueue, 'transfer.hint'),
    p.transferAlert, p.transferButton);
  p.transferQueue.setAttribute('aria-describedby', 'transfer-queue-hint');
  p.transferForm.addEventListener('submit', event => { event.preventDefault(); transfer(p); });

  // Information and referral, on 211 cases.
  p.ir = detail.line === '211' ? referralPanel({ number, invoke, runAction, afterCaseAction }) : null;

  p.closedNotice = h('p', { class: 'notice' });
  p.actions = h('div', { class: 'case-actions' },
    h('h3', { class: 'visually-hidden' }, t('case.actions_heading')),
    p.closedNotice,
    p.noteForm, p.ir ? p.ir.section : null, p.outcomeForm, p.referForm, p.duplicatesSection, p.changeSection, p.transferForm);

  replace($('case-body'),
    p.ir ? p.ir.banner : null,
    h('div', { class: 'case-head' }, p.badges, p.holder, h('div', { class: 'buttons' }, p.claim, p.answer, p.release), p.headAlert),
    h('div', { class: 'case-grid' }, p.info, p.actions));
  $('case-body').hidden = false;
}

/** Sets a control to the server's value unless the person has changed it since the last update. */
function syncValue(control, value) {
  const serverValue = value === null || value === undefined ? '' : String(value);
  if (control.dataset.server === undefined || control.value === control.dataset.server) control.value = serverValue;
  control.dataset.server = serverValue;
}

function updateCasePane(detail) {
  const p = pane;
  // As the server decides: the holder works the case, supervisors and admins work any case they see;
  // nothing but notes once it is resolved or closed.
  const mine = heldByMe(detail);
  const open = !CLOSED.has(detail.status);
  const oversees = !!state.me && (state.me.role === 'supervisor' || state.me.role === 'admin');
  const mayWork = mine || oversees;
  const canWork = mayWork && open;

  $('case-heading').textContent = t('case.heading', detail.number);
  replace(p.badges,
    detail.crisis ? [crisisBadge(), ' '] : null,
    statusBadge(detail.status), ' ', priorityBadge(detail.priority), ' ',
    h('span', { class: 'badge' }, localName(detail.categoryName, detail.category)));
  p.holder.textContent = detail.assignedTo
    ? (mine ? t('case.held_by_me') : t('case.held_by', detail.assignedTo))
    : t('case.not_held');
  p.release.hidden = !(canWork && detail.assignedTo);
  p.claim.hidden = !(open && !detail.assignedTo);
  // A caller waits in the phone queue for this case: the holder answers.
  p.answer.hidden = !(canWork && mine && detail.callerWaiting);
  p.answer.title = detail.callerWaiting ? t('case.caller_waiting') : '';

  renderCaseInfo(p, detail);

  // Actions.
  p.noteForm.hidden = !mayWork;
  p.referForm.hidden = !canWork;
  p.duplicatesSection.hidden = !canWork;
  p.changeSection.hidden = !canWork;
  p.transferForm.hidden = !canWork;
  p.outcomeForm.hidden = !canWork;
  if (canWork) p.closedNotice.textContent = '';
  else if (!open) p.closedNotice.textContent = t('case.closed_notice', codeText('status', detail.status));
  else p.closedNotice.textContent = t(detail.assignedTo ? 'case.held_notice' : 'case.claim_notice');
  p.closedNotice.hidden = canWork;

  // Category options: the case's line.
  const categories = state.categories.filter(c => !c.line || c.line === detail.line);
  if (!categories.some(c => c.code === detail.category)) {
    categories.unshift({ code: detail.category, line: detail.line, name: detail.categoryName });
  }
  const categoryKey = categories.map(c => c.code).join('|') + '#' + lang();
  if (p.categoryKey !== categoryKey) {
    const chosen = p.category.value;
    replace(p.category, categories
      .slice()
      .sort((a, b) => localName(a.name, a.code).localeCompare(localName(b.name, b.code), lang()))
      .map(c => h('option', { value: c.code }, localName(c.name, c.code))));
    if (chosen) p.category.value = chosen;
    p.categoryKey = categoryKey;
  }
  syncValue(p.category, detail.category);
  syncValue(p.priority, detail.priority);
  syncValue(p.address, detail.address);
  syncValue(p.latitude, detail.latitude);
  syncValue(p.longitude, detail.longitude);

  // Transfer queues.
  const queuesKey = state.queues.map(q => q.code).join('|') + '#' + detail.queue;
  if (p.queuesKey !== queuesKey) {
    const chosen = p.transferQueue.value;
    replace(p.transferQueue,
      h('option', { value: '' }, t('transfer.choose')),
      state.queues.map(q => h('option', { value: q.code, disabled: q.code === detail.queue },
        q.code === detail.queue ? t('transfer.current', localName(q.name, q.code)) : localName(q.name, q.code))));
    if (chosen && chosen !== detail.queue) p.transferQueue.value = chosen;
    p.queuesKey = queuesKey;
  }

  renderReferChoices(p, detail);
  renderDuplicates(p, detail);
  // Anyone who may see a 211 case may flag a crisis, without claiming it first.
  if (p.ir) p.ir.update(detail, canWork, !isProvider());
}

function dlRow(labelKey, value) {
  return [h('dt', null, t(labelKey)), h('dd', null, value === null || value === undefined || value === '' ? t('common.none') : value)];
}

function renderCaseInfo(p, detail) {
  const resident = detail.resident || {};
  const answers = detail.answers || [];
  const history = (detail.history || []).slice().sort((a, b) => new Date(a.at) - new Date(b.at));
  const referrals = detail.referrals || [];
  const queue = state.queues.find(q => q.code === detail.queue);
  const coordinates = detail.latitude !== null && detail.latitude !== undefined
    && detail.longitude !== null && detail.longitude !== undefined
    ? t('case.coordinates_value', detail.latitude, detail.longitude) : null;

  replace(p.info,
    h('section', { 'aria-labelledby': 'details-heading' },
      h('h3', { id: 'details-heading' }, t('case.details_heading')),
      h('dl', { class: 'summary' },
        dlRow('case.category', localName(detail.categoryName, detail.category)),
        dlRow('case.status', codeText('status', detail.status)),
        dlRow('case.priority', codeText('priority', detail.priority)),
        dlRow('case.queue', queue ? localName(queue.name, queue.code) : detail.queue),
        dlRow('case.line', codeText('line', detail.line)),
        dlRow('case.language', codeText('language', detail.language)),
        dlRow('case.channel', codeText('channel', detail.channel)),
        dlRow('case.created', timeElement(detail.createdAt)),
        dlRow('case.age', h('span', { class: 'age', dataset: { created: detail.createdAt || '' } }, formatAge(detail.createdAt))),
        dlRow('case.updated', timeElement(detail.updatedAt)),
        slaRows(detail),
        dlRow('case.address', detail.address),
        detail.addressId ? dlRow('case.address_id', detail.addressId) : null,
        dlRow('case.coordinates', coordinates)),
      h('h4', null, t('case.description')),
      h('p', { class: 'description' }, detail.description || t('common.none')),
      answers.length ? [
        h('h4', null, t('case.answers')),
        h('dl', { class: 'summary' }, answers.map(a => dlRow2(localName(a.question), a.value))),
      ] : null),

    h('section', { 'aria-labelledby': 'resident-heading' },
      h('h3', { id: 'resident-heading' }, t('resident.heading')),
      h('dl', { class: 'summary' },
        dlRow('resident.name', resident.name),
        dlRow('resident.phone', resident.phone ? h('a', { href: 'tel:' + resident.phone }, resident.phone) : null),
        dlRow('resident.email', resident.email ? h('a', { href: 'mailto:' + resident.email }, resident.email) : null),
        dlRow('resident.language', resident.language ? codeText('language', resident.language) : null),
        dlRow('resident.consent', resident.notifyConsent ? t('common.yes') : t('common.no')))),

    h('section', { 'aria-labelledby': 'case-referrals-heading' },
      h('h3', { id: 'case-referrals-heading' }, t('case.referrals_heading')),
      referrals.length
        ? h('ul', { class: 'plain' }, referrals.map(r => h('li', { class: 'referral-line' },
          h('span', { class: 'strong' }, localName(r.providerName, r.provider)), ' ',
          referralBadge(r.status), ' ',
          h('span', { class: 'muted' }, t('referral.updated_at', formatDateTime(r.updatedAt || r.createdAt))),
          r.note ? h('p', null, t('referral.note_value', r.note)) : null,
          r.responseNote ? h('p', null, t('referral.response_value', r.responseNote)) : null)))
        : h('p', { class: 'empty' }, t('case.no_referrals'))),

    h('section', { 'aria-labelledby': 'history-heading' },
      h('h3', { id: 'history-heading' }, t('history.heading')),
      history.length
        ? h('ol', { class: 'timeline' }, history.map(entry => h('li', null,
          h('p', { class: 'entry-head' },
            timeElement(entry.at), ' ',
            h('span', { class: 'actor' }, entry.actor || t('history.system')), ' ',
            h('span', { class: 'visibility ' + (entry.isPublic ? 'public' : 'internal') },
              entry.isPublic ? t('history.public') : t('history.internal'))),
          h('p', { class: 'entry-text' }, entry.text || codeText('kind', entry.kind)))))
        : h('p', { class: 'empty' }, t('history.empty'))));
}

/** The case pane's due times with their clocks, and the first response when there was one. */
function slaRows(detail) {
  const open = !CLOSED.has(detail.status);
  const dataset = (due, warn) => ({ due: due || '', warn: warn || '', paused: String(!!detail.paused) });
  const dueValue = (due, warn, live) => (due
    ? [timeElement(due), live ? [' ', slaElement(dataset(due, warn), 'block')] : null]
    : t('sla.none'));
  let firstResponse;
  if (detail.firstResponseAt && detail.firstResponseDueAt) {
    const late = new Date(detail.firstResponseAt).getTime() - new Date(detail.firstResponseDueAt).getTime();
    firstResponse = [timeElement(detail.firstResponseDueAt), ' ',
      h('span', { class: 'sla block ' + (late > 0 ? 'sla-overdue' : 'sla-on_time') },
        late > 0
          ? [h('span', { class: 'sla-label' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⏰'), t('sla.overdue')), ' ',
            t('sla.responded_late', formatDuration(late / 1000))]
          : t('sla.responded_on_time'))];
  } else {
    firstResponse = dueValue(detail.firstResponseDueAt, detail.firstResponseWarningAt, open);
  }
  return [
    dlRow('case.first_response_due', firstResponse),
    dlRow('case.resolution_due', dueValue(detail.resolutionDueAt, detail.resolutionWarningAt, open)),
    detail.firstResponseAt ? dlRow('case.first_response_at', timeElement(detail.firstResponseAt)) : null,
  ];
}

function dlRow2(label, value) {
  return [h('dt', null, label), h('dd', null, value === null || value === undefined || value === '' ? t('common.none') : String(value))];
}

function referralBadge(status) {
  return h('span', { class: 'badge referral-' + status }, codeText('referral_status', status));
}

function renderReferChoices(p, detail) {
  const suggested = detail.suggestedProviders || [];
  const referred = new Map((detail.referrals || []).map(r => [r.provider, r.status]));
  const previous = p.referReset ? new Map()
    : new Map(Array.from(p.referForm.querySelectorAll('input[type=checkbox]')).map(c => [c.value, c.checked]));
  const key = suggested.map(s => s.code).join('|') + '#' + Array.from(referred).join('|') + '#' + state.providers.length;
  if (p.referKey === key) return;
  p.referKey = key;
  p.referReset = false;

  const box = (provider, index, group, defaultChecked, extra) => {
    const id = 'refer-' + group + '-' + index;
    const already = referred.get(provider.code);
    const checked = previous.has(provider.code) ? previous.get(provider.code) : defaultChecked && !OPEN_REFERRAL.has(already);
    return h('div', { class: 'choice' },
      h('input', { type: 'checkbox', id, value: provider.code, checked, 'aria-describedby': id + '-about' }),
      h('label', { for: id }, localName(provider.name, provider.code)),
      h('p', { class: 'hint', id: id + '-about' },
        codeText('level', provider.level),
        extra ? [' · ', extra] : null,
        already ? [' · ', t('refer.already', codeText('referral_status', already))] : null));
  };
  const coverage = s => (s.coversLocation === true ? t('refer.covers') : s.coversLocation === false ? t('refer.not_covers') : t('refer.covers_unknown'));

  replace(p.referSuggested, suggested.length
    ? suggested.map((s, i) => box(s, i, 's', true, coverage(s)))
    : h('p', { class: 'empty' }, t('refer.none_suggested')));
  const suggestedCodes = new Set(suggested.map(s => s.code));
  const others = state.providers.filter(pr => !suggestedCodes.has(pr.code))
    .slice().sort((a, b) => localName(a.name, a.code).localeCompare(localName(b.name, b.code), lang()));
  replace(p.referOthers, others.map((o, i) => box(o, i, 'o', false, null)));
  p.referOthersBox.hidden = others.length === 0;
}

function renderDuplicates(p, detail) {
  const duplicates = detail.duplicates || [];
  replace(p.duplicates, duplicates.length
    ? h('ul', { class: 'plain duplicates' }, duplicates.map((d, i) => {
      const aboutId = 'duplicate-' + i;
      const button = h('button', { type: 'button', class: 'secondary small', 'aria-describedby': aboutId }, t('duplicates.merge'));
      button.addEventListener('click', () => merge(p, d.number, button));
      return h('li', null,
        h('p', { id: aboutId },
          h('span', { class: 'strong' }, t('duplicates.case', d.number)), ' ',
          statusBadge(d.status), ' ',
          d.address || t('common.none'), ' · ',
          timeElement(d.createdAt),
          h('span', { class: 'hint block' }, t('duplicates.merge_hint', detail.number, d.number))),
        button);
    }))
    : h('p', { class: 'empty' }, t('duplicates.none')));
}

// ---------- case actions ----------

/** Shared tail of the actions that return a CaseDetail. */
function afterCaseAction(detail, message) {
  if (!detail) return;
  acceptCase(detail);
  showCase(detail, false);
  if (message) announceStatus(message);
}

async function addNote(p) {
  const text = p.noteText.value.trim();
  p.noteText.removeAttribute('aria-invalid');
  if (!text) {
    showError(p.noteAlert, t('note.required'));
    p.noteText.setAttribute('aria-invalid', 'true');
    p.noteText.focus();
    return;
  }
  const result = await runAction([p.noteButton, p.noteText], p.noteAlert, () => invoke('AddNote', p.number, text));
  if (!result.ok) return;
  p.noteText.value = '';
  afterCaseAction(result.value, t('done.note_added', p.number));
  p.noteText.focus();
}

async function outcome(p, which) {
  const note = p.outcomeText.value.trim();
  const method = { waiting: 'SetWaiting', resolve: 'Resolve', close: 'Close' }[which] || 'Resolve';
  const message = { waiting: 'done.waiting', resolve: 'done.resolved', close: 'done.closed' }[which] || 'done.resolved';
  p.outcomeText.removeAttribute('aria-invalid');
  if (which !== 'waiting' && !note) {
    // The server refuses to resolve or close without a note: say so before asking it.
    showError(p.outcomeAlert, t('outcome.required'));
    p.outcomeText.setAttribute('aria-invalid', 'true');
    p.outcomeText.focus();
    return;
  }
  const result = await runAction([p.waiting, p.resolve, p.close, p.outcomeText], p.outcomeAlert,
    () => invoke(method, p.number, note));
  if (!result.ok) return;
  p.outcomeText.value = '';
  afterCaseAction(result.value, t(message, p.number));
  if (!isVisible(document.activeElement) || document.activeElement === document.body) $('case-heading').focus();
}

async function refer(p) {
  const codes = Array.from(p.referForm.querySelectorAll('input[type=checkbox]:checked')).map(c => c.value);
  if (codes.length === 0) {
    showError(p.referAlert, t('refer.required'));
    const first = p.referForm.querySelector('input[type=checkbox]');
    if (first) first.focus();
    return;
  }
  const note = p.referText.value.trim();
  const result = await runAction([p.referButton], p.referAlert, () => invoke('Refer', p.number, codes, note));
  if (!result.ok) return;
  p.referText.value = '';
  p.referKey = null;
  p.referReset = true; // the next render starts from the suggestions again
  const names = codes.map(code => {
    const provider = state.providers.find(pr => pr.code === code)
      || ((result.value && result.value.suggestedProviders) || []).find(pr => pr.code === code);
    return provider ? localName(provider.name, code) : code;
  });
  afterCaseAction(result.value, t('done.referred', p.number, listFormat(names)));
}

function listFormat(items) {
  try {
    return new Intl.ListFormat(lang(), { style: 'long', type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}

async function merge(p, intoNumber, button) {
  const result = await runAction([button], p.duplicatesAlert, () => invoke('Merge', p.number, intoNumber));
  if (!result.ok) return;
  afterCaseAction(result.value, t('done.merged', p.number, intoNumber));
  if (!isVisible(document.activeElement) || document.activeElement === document.body) $('case-heading').focus();
}

async function changeCategory(p) {
  const value = p.category.value;
  const result = await runAction([p.categoryButton, p.category], p.categoryAlert,
    () => invoke('ChangeCategory', p.number, value));
  if (!result.ok) return;
  p.category.dataset.server = value;
  const category = state.categories.find(c => c.code === value);
  afterCaseAction(result.value, t('done.category_changed', p.number, category ? localName(category.name, value) : value));
}

async function changePriority(p) {
  const value = p.priority.value;
  const result = await runAction([p.priorityButton, p.priority], p.priorityAlert,
    () => invoke('ChangePriority', p.number, value));
  if (!result.ok) return;
  p.priority.dataset.server = value;
  afterCaseAction(result.value, t('done.priority_changed', p.number, codeText('priority', value)));
}

function parseCoordinate(text) {
  const value = text.trim().replace(',', '.');
  if (value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : NaN;
}

async function changeLocation(p) {
  const address = p.address.value.trim();
  const latitude = parseCoordinate(p.latitude.value);
  const longitude = parseCoordinate(p.longitude.value);
  for (const input of [p.address, p.latitude, p.longitude]) input.removeAttribute('aria-invalid');
  let problem = null;
  let badInput = null;
  if (Number.isNaN(latitude) || (latitude !== null && (latitude < -90 || latitude > 90))) {
    problem = t('change.latitude_invalid'); badInput = p.latitude;
  } else if (Number.isNaN(longitude) || (longitude !== null && (longitude < -180 || longitude > 180))) {
    problem = t('change.longitude_invalid'); badInput = p.longitude;
  } else if ((latitude === null) !== (longitude === null)) {
    problem = t('change.coordinates_pair'); badInput = latitude === null ? p.latitude : p.longitude;
  } else if (!address && latitude === null) {
    problem = t('change.location_required'); badInput = p.address;
  }
  if (problem) {
    showError(p.locationAlert, problem);
    badInput.setAttribute('aria-invalid', 'true');
    badInput.focus();
    return;
  }
  const result = await runAction([p.locationButton, p.address, p.latitude, p.longitude], p.locationAlert,
    () => invoke('ChangeLocation', p.number, address, latitude, longitude));
  if (!result.ok) return;
  p.address.dataset.server = p.address.value;
  p.latitude.dataset.server = p.latitude.value;
  p.longitude.dataset.server = p.longitude.value;
  afterCaseAction(result.value, t('done.location_changed', p.number));
}

async function transfer(p) {
  const queueCode = p.transferQueue.value;
  p.transferQueue.removeAttribute('aria-invalid');
  if (!queueCode) {
    showError(p.transferAlert, t('transfer.required'));
    p.transferQueue.setAttribute('aria-invalid', 'true');
    p.transferQueue.focus();
    return;
  }
  const result = await runAction([p.transferButton, p.transferQueue], p.transferAlert,
    () => invoke('Transfer', p.number, queueCode));
  if (!result.ok) return;
  const queue = state.queues.find(q => q.code === queueCode);
  letGo(p.number, t('done.transferred', p.number, queue ? localName(queue.name, queueCode) : queueCode));
}

async function releaseCase(p) {
  const result = await runAction([p.release], p.headAlert, () => invoke('Release', p.number));
  if (!result.ok) return;
  letGo(p.number, t('done.released', p.number));
}

async function answerCall(p) {
  const result = await runAction([p.answer], p.headAlert, () => invoke('AnswerCall', p.number));
  if (!result.ok) return;
  announceStatus(t('done.answered', p.number));
  if (result.value) showCase(result.value, false);
}

async function claimOpen(p) {
  await claim(p.number, p.claim, p.headAlert);
}

/** After Release or Transfer: the case is no longer mine; close the pane and go back to the queue. */
function letGo(number, message) {
  state.mine = state.mine.filter(q => q.number !== number);
  closeCasePane();
  renderMine();
  announceStatus(message);
  $('claim-next').focus();
}

// ---------- provider referrals ----------

function onReferralChanged(referral) {
  if (!referral) return;
  if (isProvider()) {
    const at = state.referrals.findIndex(r => r.id === referral.id);
    if (at >= 0) state.referrals[at] = referral;
    else {
      state.referrals.push(referral);
      if (referral.status === 'sent') announceQueue(t('live.new_referral', referral.caseNumber));
    }
    renderReferrals();
  }
  if (state.openCase && state.openCase.number === referral.caseNumber) scheduleCaseRefresh(referral.caseNumber);
}

function renderReferrals() {
  const view = $('referrals-view');
  // Keep what people typed and where the focus is.
  const typed = new Map(Array.from(view.querySelectorAll('textarea')).map(a => [a.id, a.value]));
  const focusedId = view.contains(document.activeElement) ? document.activeElement.id : null;

  const byStatus = { sent: 0, accepted: 1, declined: 2, completed: 3 };
  const sorted = state.referrals.slice().sort((a, b) =>
    (byStatus[a.status] ?? 9) - (byStatus[b.status] ?? 9)
    || (PRIORITY_RANK[a.priority] ?? 2) - (PRIORITY_RANK[b.priority] ?? 2)
    || new Date(a.createdAt) - new Date(b.createdAt));
  const open = sorted.filter(r => OPEN_REFERRAL.has(r.status));
  const done = sorted.filter(r => !OPEN_REFERRAL.has(r.status))
    .sort((a, b) => new Date(b.updatedAt || b.createdAt) - new Date(a.updatedAt || a.createdAt));

  replace($('referrals-open'), open.map(referralCard));
  replace($('referrals-done'), done.map(referralCard));
  $('referrals-open-empty').hidden = open.length > 0;
  $('referrals-done-empty').hidden = done.length > 0;
  $('referrals-open-count').textContent = t('referrals.count', open.length);
  $('referrals-done-count').textContent = t('referrals.count', done.length);

  for (const [id, value] of typed) {
    const area = document.getElementById(id);
    if (area) area.value = value;
  }
  if (focusedId) {
    const again = document.getElementById(focusedId);
    if (again) again.focus();
    else $('referrals-heading').focus();
  }
}

function referralCard(r) {
  const base = 'referral-' + r.id;
  const card = h('article', { class: 'referral-card priority-' + r.priority, 'aria-labelledby': base + '-title' },
    h('h4', { id: base + '-title' }, t('referral.title', r.caseNumber, localName(r.categoryName, r.category))),
    h('p', { class: 'case-badges' }, referralBadge(r.status), ' ', priorityBadge(r.priority)),
    h('dl', { class: 'summary' },
      dlRow('case.address', r.address),
      dlRow('referral.referred_by', r.referredBy),
      dlRow('referral.sent', timeElement(r.createdAt)),
      dlRow('referral.updated', timeElement(r.updatedAt)),
      r.note ? dlRow('referral.note', r.note) : null,
      r.responseNote ? dlRow('referral.response', r.responseNote) : null),
    h('h5', null, t('case.description')),
    h('p', { class: 'description' }, r.description || t('common.none')));

  if (OPEN_REFERRAL.has(r.status)) {
    const textId = base + '-text';
    const hintId = textId + '-hint';
    const area = h('textarea', { id: textId, rows: 2, 'aria-describedby': hintId });
    const alert = alertEl(base + '-alert');
    const buttons = [];
    const form = h('form', { class: 'action', novalidate: true },
      h('div', { class: 'field' },
        h('label', { for: textId }, t('referral.response_label')),
        h('p', { class: 'hint', id: hintId }, t('referral.response_hint')),
        area),
      alert);
    const row = h('div', { class: 'buttons' });
    const button = (which, cls) => h('button', { type: 'submit', class: cls, value: which, id: base + '-' + which }, t('referral.' + which));
    // The server lets a sent referral be accepted, declined or completed, and an accepted one completed or declined.
    if (r.status === 'sent') buttons.push(button('accept', 'primary'), button('decline', 'danger'), button('complete', 'secondary'));
    else buttons.push(button('complete', 'primary'), button('decline', 'danger'));
    row.append(...buttons);
    form.append(row);
    form.addEventListener('submit', event => {
      event.preventDefault();
      const which = event.submitter ? event.submitter.value : (r.status === 'sent' ? 'accept' : 'complete');
      respond(r, which, area, alert, buttons);
    });
    card.append(form);
  }
  return h('li', null, card);
}

async function respond(r, which, area, alert, buttons) {
  const text = area.value.trim();
  area.removeAttribute('aria-invalid');
  if (which === 'decline' && !text) {
    showError(alert, t('referral.reason_required'));
    area.setAttribute('aria-invalid', 'true');
    area.focus();
    return;
  }
  const method = { accept: 'AcceptReferral', decline: 'DeclineReferral', complete: 'CompleteReferral' }[which];
  const result = await runAction([...buttons, area], alert, () => invoke(method, r.id, text));
  if (!result.ok) return;
  area.value = '';
  const updated = result.value || { ...r, status: { accept: 'accepted', decline: 'declined', complete: 'completed' }[which] };
  const at = state.referrals.findIndex(x => x.id === updated.id);
  if (at >= 0) state.referrals[at] = updated;
  else state.referrals.push(updated);
  renderReferrals();
  announceStatus(t('done.referral_' + which, r.caseNumber));
  const heading = document.getElementById('referral-' + updated.id + '-title');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

// ---------- keyboard shortcuts ----------

function onShortcut(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (isTyping(event.target)) return;
  if ($('desktop-view').hidden || isProvider()) return;
  const letter = shortcutLetter(event);
  if (letter === 'n') {
    event.preventDefault();
    claimNext();
  } else if (letter === 'm') {
    event.preventDefault();
    focusWorkBox(p => p.noteText);
  } else if (letter === 'r') {
    event.preventDefault();
    focusWorkBox(p => p.outcomeText);
  }
}

function focusWorkBox(pick) {
  const p = pane;
  const box = p && pick(p);
  if (!box || box.closest('[hidden]') || box.disabled) {
    showError($('case-pane-msg'), t('shortcuts.no_case'));
    announceStatus(t('shortcuts.no_case'));
    return;
  }
  showError($('case-pane-msg'), null);
  box.scrollIntoView({ block: 'center' });
  box.focus();
}

boot();
