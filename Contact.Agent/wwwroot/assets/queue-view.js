// The queue and my cases on screen: their rows, kept live by the hub (the server's order), Claim next, claiming a
// row and opening one of mine.
import { t, codeText, localName } from './texts.js';
import { $, h, replace, showError } from './common.js';
import { compareQueue, toQueueItem, paneNeedsRefresh } from './queue.js';
import { state, isProvider, putItem, removeItem } from './state.js';
import { invoke } from './connection.js';
import { announceQueue, announceStatus, runAction } from './feedback.js';
import { priorityBadge, crisisBadge, statusBadge, sep, ageElement, slaRow } from './badges.js';

// The case pane shows what is claimed or opened here. It imports this module (for the lists), so this one does not
// import it back: the entry point hands its two functions over at start (openCasesIn).
let casePane = null;

/** Called once by the entry point: show(detail, moveFocus) opens a case in the pane; refresh(number) re-reads it. */
export function openCasesIn(pane) {
  casePane = pane;
}

export function renderLists() {
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

export function renderMine() {
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
      ageElement(item.createdAt),
      sep(), codeText('channel', item.channel),
      sep(), t('case.line_language', item.line, codeText('language', item.language))),
    slaRow(item, showStatus),
    item.address ? h('span', { class: 'row-address' }, item.address) : null,
  ];
}

// ---------- claiming and opening ----------

export async function claimNext() {
  if (isProvider() || !state.me) return;
  const button = $('claim-next');
  const result = await runAction([button], $('queue-error'), () => invoke('ClaimNext'));
  if (!result.ok) return;
  if (!result.value) {
    showError($('queue-error'), t('queue.none_waiting'));
    return;
  }
  claimed(result.value);
}

/** Claims one case (a queue row, or the open case's Claim button). */
export async function claim(number, button, alert) {
  const result = await runAction([button], alert, () => invoke('Claim', number));
  if (!result.ok || !result.value) return;
  claimed(result.value);
}

function claimed(detail) {
  acceptCase(detail);
  casePane.show(detail, true);
  announceStatus(t('done.claimed', detail.number));
}

async function openCase(number, button) {
  const result = await runAction([button], $('mine-error'), () => invoke('OpenCase', number));
  if (!result.ok || !result.value) return;
  casePane.show(result.value, true);
}

/** Brings the lists in line with a case the server just returned. */
export function acceptCase(detail) {
  putItem(toQueueItem(detail));
  renderLists();
}

// ---------- live ----------

export function onQueueItemChanged(item) {
  if (!item || !state.me) return;
  if (putItem(item)) {
    announceQueue(t(item.status === 'new' ? 'live.new_case' : 'live.case_returned', item.number, item.queue));
  }
  renderLists();
  if (paneNeedsRefresh(state.openCase, item)) casePane.refresh(item.number);
}

export function onQueueItemRemoved(number) {
  removeItem(number);
  renderLists();
}
