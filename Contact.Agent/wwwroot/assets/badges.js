// The small marks a case carries in lists, the case pane and referral cards: priority, status, crisis, referral
// status; and the live clocks (age, service standard) that tick in place.
import { t, codeText } from './texts.js';
import { formatAge } from './format.js';
import { slaOf, slaState, slaTimeText } from './sla.js';
import { h, replace } from './common.js';

export function priorityBadge(priority) {
  return h('span', { class: 'badge priority priority-' + priority },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, { urgent: '‼', high: '!', normal: '', low: '↓' }[priority] || ''),
    codeText('priority', priority));
}

export function crisisBadge() {
  return h('span', { class: 'badge crisis' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⚠'), t('ir.crisis_badge'));
}

export function statusBadge(status) {
  return h('span', { class: 'badge status status-' + status }, codeText('status', status));
}

export function referralBadge(status) {
  return h('span', { class: 'badge referral-' + status }, codeText('referral_status', status));
}

/** A visual separator; the spaces around it stay in the accessible name. */
export const sep = () => [' ', h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'), ' '];

/** A definition list row; an empty value reads "none". */
export function dlRow(labelKey, value) {
  return textRow(t(labelKey), value);
}

/** A definition list row with a label that is already words. */
export function textRow(label, value) {
  return [h('dt', null, label), h('dd', null, value === null || value === undefined || value === '' ? t('common.none') : value)];
}

// ---------- live clocks ----------

/** A case's age, kept current by tickAges. */
export function ageElement(createdAt) {
  return h('span', { class: 'age', dataset: { created: createdAt || '' } }, formatAge(createdAt));
}

export function tickAges() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.age[data-created]')) {
    if (el.dataset.created) el.textContent = formatAge(el.dataset.created, now);
  }
}

/**
 * A live clock element: its words (never colour alone: "At risk" / "Overdue" labels) are filled from its data
 * attributes now and every 15 s by tickSla.
 */
export function slaElement(dataset, cls) {
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
      parts.push(slaLabel(state), ' ');
    }
    parts.push(h('span', { class: 'sla-time' }, slaTimeText(d.due, now)));
  }
  replace(el, parts);
}

/** "⚠ At risk" or "⏰ Overdue": the words, with an icon that is not read. */
export function slaLabel(state) {
  return h('span', { class: 'sla-label' },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, state === 'overdue' ? '⏰' : '⚠'),
    t('sla.' + state));
}

/** The clock line of a queue or my-cases row; nothing when no service standard applies. */
export function slaRow(item, held) {
  const sla = slaOf(item, held);
  if (!sla.paused && !sla.state) return null;
  return slaElement({ kind: sla.kind, due: sla.due || '', warn: sla.warn || '', paused: String(sla.paused) }, 'row-sla');
}

export function tickSla() {
  const now = Date.now();
  for (const el of document.querySelectorAll('.sla[data-due]')) fillSla(el, now);
}
