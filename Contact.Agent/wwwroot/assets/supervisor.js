// The supervisor page (GET /supervisor): queues, agents and today's volumes, live; reassigning a case; 211 needs.
import { loadTexts, t, codeText, localName, locale } from './texts.js';
import { formatDateTime, formatDuration, formatNumber } from './format.js';
import { minutesOverText, atRiskState } from './sla.js';
import { isCaseNumber } from './validate.js';
import {
  $, applyTexts, setUpLanguageLink, h, replace, timeElement, api, apiErrorMessage, wireSignIn, resumeSession, signOutWith, showError,
  showConnection, errorText,
} from './common.js';
import { setUpConnection, startHub, stopHub, connectNow, invoke } from './connection.js';
import { announceStatus } from './feedback.js';
import { slaLabel as slaWords } from './badges.js';

const state = {
  me: null,
  view: null,
  receivedAt: 0,
};


async function boot() {
  await loadTexts();
  applyTexts();
  document.title = t('supervisor.title');
  setUpLanguageLink($('lang-link'), '/supervisor');
  showConnection($('connection'), 'disconnected');
  setUpConnection({
    events: { SupervisorChanged: () => scheduleRefresh(), Resync: () => scheduleRefresh() },
    onConnected: () => refresh(),
    onSessionEnded: () => {
      showSignIn(t('signin.session_ended'));
      $('signin-user').focus();
    },
  });
  wireSignIn($('signin-form'), staff => enter(staff, true));
  $('signout').addEventListener('click', signOutNow);
  $('reconnect').addEventListener('click', () => connectNow());
  $('reassign-form').addEventListener('submit', event => { event.preventDefault(); reassign(); });
  addSlaPanels();
  addNeedsPanel();
  setInterval(tickWaits, 5000);
  document.body.classList.remove('loading');

  await resumeSession(enter, showSignIn);
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
  loadNeeds();
  await startHub();
}

function signOutNow() {
  return signOutWith($('signout'), async () => {
    await stopHub();
    state.me = null;
    state.view = null;
    showSignIn(null);
    announceStatus(t('signin.signed_out'));
    $('signin-user').focus();
  });
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
    if (Date.now() - needsLoadedAt > NEEDS_EVERY_MS) loadNeeds();
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
  renderSla(view);

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

// ---------- 211 needs ----------

// The needs report counts a month: reading it again once a minute, at most, is fresh enough.
const NEEDS_EVERY_MS = 60000;
let needsLoadedAt = 0;

/** Adds the "211 needs, last 30 days" panel to the page (before Reassign). */
function addNeedsPanel() {
  const grid = document.querySelector('.supervisor-grid');
  const before = $('reassign-form').closest('section');
  const col = (key, cls) => h('th', { scope: 'col', class: cls || null }, t(key));
  grid.insertBefore(h('section', { class: 'panel wide-panel', 'aria-labelledby': 'needs-heading' },
    h('h2', { id: 'needs-heading' }, t('supervisor.needs_heading')),
    h('p', { class: 'hint', id: 'needs-hint' }, t('supervisor.needs_hint')),
    h('p', { id: 'needs-error', class: 'alert', role: 'alert', hidden: true }),
    h('table', { 'aria-labelledby': 'needs-heading', 'aria-describedby': 'needs-hint' },
      h('thead', null, h('tr', null,
        col('supervisor.col_need'), col('supervisor.col_recorded', 'num'), col('supervisor.col_met', 'num'),
        col('supervisor.col_unmet', 'num'), col('supervisor.col_unmet_reasons'))),
      h('tbody', { id: 'needs-body' }))), before);
}

async function loadNeeds() {
  needsLoadedAt = Date.now();
  let report;
  try {
    report = await api('GET', '/api/reports/needs');
  } catch (error) {
    showError($('needs-error'), apiErrorMessage(error));
    return;
  }
  showError($('needs-error'), null);
  const needs = report.needs || [];
  replace($('needs-body'), needs.length
    ? needs.map(n => h('tr', { class: n.unmet > 0 ? 'busy' : null },
      h('th', { scope: 'row' }, n.name, ' ', h('span', { class: 'code' }, '(' + n.code + ')')),
      h('td', { class: 'num' }, formatNumber(n.recorded)),
      h('td', { class: 'num' }, formatNumber(n.met)),
      h('td', { class: 'num' }, formatNumber(n.unmet)),
      h('td', null, Object.keys(n.reasons || {}).length
        ? h('ul', { class: 'inline-list' }, Object.entries(n.reasons)
          .sort((a, b) => b[1] - a[1])
          .map(([reason, count]) => h('li', null, t('supervisor.reason_count', codeText('ir.reason', reason), formatNumber(count)))))
        : t('supervisor.no_unmet'))))
    : h('tr', null, h('td', { colspan: '5', class: 'empty' }, t('supervisor.no_needs'))));
}

// ---------- service standards ----------

const COMPLIANCE_KINDS = ['queue', 'category', 'provider'];

/** Adds the "At risk and overdue" and "Compliance today" panels to the page (before Reassign). */
function addSlaPanels() {
  const grid = document.querySelector('.supervisor-grid');
  const before = $('reassign-form').closest('section');
  const col = (key, cls) => h('th', { scope: 'col', class: cls || null }, t(key));
  const atRisk = h('section', { class: 'panel wide-panel', 'aria-labelledby': 'at-risk-heading' },
    h('h2', { id: 'at-risk-heading' }, t('supervisor.at_risk_heading')),
    h('p', { class: 'hint', id: 'at-risk-hint' }, t('supervisor.at_risk_hint')),
    h('table', { 'aria-labelledby': 'at-risk-heading', 'aria-describedby': 'at-risk-hint' },
      h('thead', null, h('tr', null,
        col('supervisor.col_case'), col('supervisor.col_sla_state'), col('supervisor.col_time', 'num'),
        col('supervisor.col_due'), col('supervisor.col_queue'), col('supervisor.col_category'), col('supervisor.col_held_by'))),
      h('tbody', { id: 'at-risk-body' })));
  const compliance = h('section', { class: 'panel wide-panel', 'aria-labelledby': 'compliance-heading' },
    h('h2', { id: 'compliance-heading' }, t('supervisor.compliance_heading')),
    h('p', { class: 'hint', id: 'compliance-hint' }, t('supervisor.compliance_hint')),
    h('table', { id: 'compliance-table', 'aria-labelledby': 'compliance-heading', 'aria-describedby': 'compliance-hint' },
      h('thead', null, h('tr', null,
        col('supervisor.col_name'), col('supervisor.col_resolved', 'num'), col('supervisor.col_on_time', 'num'),
        col('supervisor.col_percent', 'num'))),
      h('tbody', { id: 'compliance-empty' })));
  grid.insertBefore(atRisk, before);
  grid.insertBefore(compliance, before);
}

function slaBadge(state) {
  return h('span', { class: 'sla sla-' + state }, slaWords(state));
}

function renderSla(view) {
  const queueName = code => {
    const queue = (view.queues || []).find(q => q.code === code);
    return queue ? localName(queue.name, code) : code;
  };
  const atRisk = view.atRisk || [];
  replace($('at-risk-body'), atRisk.length
    ? atRisk.map((c, i) => {
      const state = atRiskState(c, 0);
      return h('tr', { class: 'sla-' + state },
        h('th', { scope: 'row' }, c.number),
        h('td', { class: 'sla-state', dataset: { index: String(i) } }, slaBadge(state)),
        h('td', { class: 'num sla-cell', dataset: { index: String(i) } }, minutesOverText(c.minutesOver)),
        h('td', null, timeElement(c.resolutionDueAt)),
        h('td', null, queueName(c.queue)),
        h('td', null, localName(c.categoryName)),
        h('td', null, c.assignedTo || t('supervisor.not_held')));
    })
    : h('tr', null, h('td', { colspan: '7', class: 'empty' }, t('supervisor.no_at_risk'))));

  // One row group per kind (queue, category, provider), each with its heading row.
  const table = $('compliance-table');
  for (const body of table.querySelectorAll('tbody')) body.remove();
  const rows = view.compliance || [];
  const percent = new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 });
  if (!rows.length) {
    table.append(h('tbody', null, h('tr', null, h('td', { colspan: '4', class: 'empty' }, t('supervisor.no_compliance')))));
    return;
  }
  for (const kind of COMPLIANCE_KINDS) {
    const group = rows.filter(r => r.kind === kind);
    if (!group.length) continue;
    table.append(h('tbody', null,
      h('tr', { class: 'group' }, h('th', { scope: 'rowgroup', colspan: '4' }, t('supervisor.by_' + kind))),
      group.map(r => h('tr', null,
        h('th', { scope: 'row' }, kind === 'queue' ? queueName(r.key) : localName(r.name, r.key)),
        h('td', { class: 'num' }, formatNumber(r.resolved)),
        h('td', { class: 'num' }, formatNumber(r.onTime)),
        h('td', { class: 'num' }, r.resolved ? percent.format(r.onTime / r.resolved) : t('common.none'))))));
  }
}

function tickAtRisk(elapsedSeconds) {
  const atRisk = (state.view && state.view.atRisk) || [];
  for (const cell of document.querySelectorAll('#at-risk-body td.sla-cell')) {
    const c = atRisk[Number(cell.dataset.index)];
    if (c) cell.textContent = minutesOverText(c.minutesOver + elapsedSeconds / 60);
  }
  for (const cell of document.querySelectorAll('#at-risk-body td.sla-state')) {
    const c = atRisk[Number(cell.dataset.index)];
    if (!c) continue;
    const now = atRiskState(c, elapsedSeconds);
    if (!cell.querySelector('.sla-' + now)) {
      replace(cell, slaBadge(now));
      cell.parentElement.className = 'sla-' + now;
    }
  }
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
  tickAtRisk(elapsed);
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
  if (!isCaseNumber(number)) {
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
