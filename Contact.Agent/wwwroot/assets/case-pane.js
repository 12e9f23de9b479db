// The open case: its pane (built once per case, updated in place as the hub reports changes, keeping what the
// person typed) and its actions: notes, outcomes, referrals, merging, changes, transfer, release, answering a call.
import { t, codeText, lang, localName } from './texts.js';
import { listFormat } from './format.js';
import { $, h, replace, field, alertEl, isVisible, showError, errorText, timeElement } from './common.js';
import { CLOSED, OPEN_REFERRAL } from './queue.js';
import { noteProblem, outcomeProblem, parseCoordinate, locationProblem } from './validate.js';
import { state, isProvider, oversees, heldByMe, queueOf, dropMine } from './state.js';
import { invoke } from './connection.js';
import { announceStatus, runAction } from './feedback.js';
import { priorityBadge, crisisBadge, statusBadge } from './badges.js';
import { renderCaseInfo } from './case-info.js';
import { renderMine, acceptCase, claim } from './queue-view.js';
import { referralPanel } from './information-referral.js';
import { lifeEventPanel } from './life-event.js';

const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

/** The open case pane: its number and its persistent form controls (kept while the case stays open). */
let pane = null;
let refreshTimer = null;
let refreshing = false;
let refreshAgain = false;

export function closeCasePane() {
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

export function onCaseChanged(number) {
  if (state.openCase && state.openCase.number === number) scheduleCaseRefresh(number);
}

export function scheduleCaseRefresh(number) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refreshOpenCase(number), 150);
}

export async function refreshOpenCase(number) {
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

export function showCase(detail, moveFocus) {
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
  p.noteForm.addEventListener('submit', event => { event.preventDefault(); addNote(p); });

  // Outcome: waiting on resident, resolve, close.
  p.outcomeText = h('textarea', { id: 'outcome-text', rows: 3, 'aria-keyshortcuts': 'Alt+R' });
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
  p.referText = h('textarea', { id: 'refer-text', rows: 2 });
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
  p.transferForm.addEventListener('submit', event => { event.preventDefault(); transfer(p); });

  // Information and referral, on 211 cases.
  p.ir = detail.line === '211' ? referralPanel({ number, invoke, runAction, afterCaseAction }) : null;
  // Tell us once for the resident of this case.
  p.life = isProvider() ? null : lifeEventPanel({ number, invoke, runAction, afterCaseAction, announce: announceStatus });

  p.closedNotice = h('p', { class: 'notice' });
  p.actions = h('div', { class: 'case-actions' },
    h('h3', { class: 'visually-hidden' }, t('case.actions_heading')),
    p.closedNotice,
    p.noteForm, p.ir ? p.ir.section : null, p.life ? p.life.section : null, p.outcomeForm, p.referForm, p.duplicatesSection, p.changeSection, p.transferForm);

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
  const mayWork = mine || oversees();
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

  renderCaseInfo(p.info, detail);

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
  if (p.life) p.life.update(detail, canWork && !CLOSED.has(detail.status));
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
  const problem = noteProblem(text);
  if (problem) {
    showError(p.noteAlert, t(problem));
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
  const problem = outcomeProblem(which, note);
  if (problem) {
    showError(p.outcomeAlert, t(problem));
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

async function changeLocation(p) {
  const address = p.address.value.trim();
  const latitude = parseCoordinate(p.latitude.value);
  const longitude = parseCoordinate(p.longitude.value);
  for (const input of [p.address, p.latitude, p.longitude]) input.removeAttribute('aria-invalid');
  const problem = locationProblem(address, latitude, longitude);
  if (problem) {
    const badInput = p[problem.input];
    showError(p.locationAlert, t(problem.key));
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
  const queue = queueOf(queueCode);
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
  dropMine(number);
  closeCasePane();
  renderMine();
  announceStatus(message);
  $('claim-next').focus();
}

/** Alt+M: the note box of the open case. */
export const focusNoteBox = () => focusWorkBox(p => p.noteText);

/** Alt+R: the outcome box of the open case. */
export const focusOutcomeBox = () => focusWorkBox(p => p.outcomeText);

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

