// A provider user's referrals: open ones to accept, decline or complete, and those done with; kept live by the hub.
import { t, localName } from './texts.js';
import { $, h, replace, alertEl, showError, timeElement } from './common.js';
import { responseProblem } from './validate.js';
import { OPEN_REFERRAL, referralLists } from './queue.js';
import { state, isProvider, putReferral } from './state.js';
import { invoke } from './connection.js';
import { announceQueue, announceStatus, runAction } from './feedback.js';
import { priorityBadge, referralBadge, dlRow, textRow } from './badges.js';
import { scheduleCaseRefresh } from './case-pane.js';

export function onReferralChanged(referral) {
  if (!referral) return;
  if (isProvider()) {
    if (putReferral(referral) && referral.status === 'sent') announceQueue(t('live.new_referral', referral.caseNumber));
    renderReferrals();
  }
  if (state.openCase && state.openCase.number === referral.caseNumber) scheduleCaseRefresh(referral.caseNumber);
}

export function renderReferrals() {
  const view = $('referrals-view');
  // Keep what people typed and where the focus is.
  const typed = new Map(Array.from(view.querySelectorAll('textarea')).map(a => [a.id, a.value]));
  const focusedId = view.contains(document.activeElement) ? document.activeElement.id : null;

  const { open, done } = referralLists(state.referrals);

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
      r.dueAt && OPEN_REFERRAL.has(r.status) ? dlRow('referral.due', timeElement(r.dueAt)) : null,
      r.note ? dlRow('referral.note', r.note) : null,
      r.responseNote ? dlRow('referral.response', r.responseNote) : null),
    // A life event's referral carries its packet, and nothing else of the case.
    ...(r.packet
      ? [h('h5', null, t('referral.packet')), h('dl', { class: 'summary packet' }, r.packet.map(a => textRow(localName(a.question), a.value)))]
      : [h('h5', null, t('case.description')), h('p', { class: 'description' }, r.description || t('common.none'))]));

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
  const problem = responseProblem(which, text);
  if (problem) {
    showError(alert, t(problem));
    area.setAttribute('aria-invalid', 'true');
    area.focus();
    return;
  }
  const method = { accept: 'AcceptReferral', decline: 'DeclineReferral', complete: 'CompleteReferral' }[which];
  const result = await runAction([...buttons, area], alert, () => invoke(method, r.id, text));
  if (!result.ok) return;
  area.value = '';
  const updated = result.value || { ...r, status: { accept: 'accepted', decline: 'declined', complete: 'completed' }[which] };
  putReferral(updated);
  renderReferrals();
  announceStatus(t('done.referral_' + which, r.caseNumber));
  const heading = document.getElementById('referral-' + updated.id + '-title');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

