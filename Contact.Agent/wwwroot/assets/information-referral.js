// Information and referral on a 211 case: the person's needs, a directory search, referrals given (as they were
// said at the time), needs no service could meet, referrals sent by text, follow-ups and the crisis flag.
// Actions go through the hub; the directory is read from the staff API /api/directory/*.
import { t, codeText } from './texts.js';
import { CLOSED } from './queue.js';
import { h, replace, field, alertEl, timeElement, ApiError, apiErrorMessage, showError } from './common.js';

const UNMET_REASONS = ['no_service_found', 'not_eligible', 'waitlist_full', 'service_unavailable', 'declined', 'other'];

/**
 * Builds the panel for one open case. ctx: { number, invoke, runAction, afterCaseAction, announce }.
 * Returns { banner, section, update(detail, canWork, mayFlag) }: the crisis banner goes at the top of the case pane.
 */
export function referralPanel(ctx) {
  const p = { ctx, needs: [], detail: null };

  // The crisis line, offered at once when the case is flagged.
  p.banner = h('div', { class: 'crisis-banner', role: 'alert', tabindex: -1, hidden: true });

  p.crisisButton = h('button', { type: 'button', class: 'danger' }, t('ir.crisis_flag'));
  p.crisisAlert = alertEl('ir-crisis-alert');
  p.crisisButton.addEventListener('click', () => toggleCrisis(p));

  // Needs: a term picker over the directory's taxonomy.
  p.termText = h('input', { id: 'ir-term', type: 'search', autocomplete: 'off', 'aria-describedby': 'ir-term-hint' });
  p.termButton = h('button', { type: 'submit', class: 'secondary' }, t('ir.term_find'));
  p.termAlert = alertEl('ir-term-alert');
  p.termResults = h('ul', { class: 'plain term-results', 'aria-labelledby': 'ir-terms-found' });
  p.termFound = h('p', { id: 'ir-terms-found', class: 'visually-hidden' }, t('ir.terms_found_label'));
  p.termLive = h('p', { class: 'visually-hidden', role: 'status' });
  p.termForm = h('form', { class: 'inline-form', novalidate: true, role: 'search', 'aria-label': t('ir.term_form_label') },
    h('div', { class: 'field' },
      h('label', { for: 'ir-term' }, t('ir.term_label')),
      h('p', { class: 'hint', id: 'ir-term-hint' }, t('ir.term_hint')),
      p.termText),
    p.termButton, p.termAlert, p.termFound, p.termResults, p.termLive);
  p.termForm.addEventListener('submit', event => { event.preventDefault(); findTerms(p); });
  p.needList = h('div');
  p.needAlert = alertEl('ir-need-alert');

  // Directory search.
  p.searchNeed = h('select', { id: 'ir-search-need' });
  p.searchText = h('input', { id: 'ir-search-text', type: 'search', autocomplete: 'off' });
  p.searchPostal = h('input', { id: 'ir-search-postal', type: 'text', autocomplete: 'off', class: 'short', 'aria-describedby': 'ir-search-postal-hint' });
  p.searchOpen = h('input', { id: 'ir-search-open', type: 'checkbox' });
  p.searchLanguage = h('select', { id: 'ir-search-language' },
    h('option', { value: '' }, t('ir.search_any_language')),
    h('option', { value: 'en' }, codeText('language', 'en')),
    h('option', { value: 'fr' }, codeText('language', 'fr')));
  p.searchAge = h('input', { id: 'ir-search-age', type: 'number', min: 0, max: 120, inputmode: 'numeric', class: 'short' });
  p.searchButton = h('button', { type: 'submit', class: 'primary' }, t('ir.search_submit'));
  p.searchAlert = alertEl('ir-search-alert');
  p.searchLive = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  p.results = h('ol', { class: 'plain directory-results', 'aria-labelledby': 'ir-results-heading' });
  p.resultsHeading = h('h5', { id: 'ir-results-heading', hidden: true }, t('ir.results_heading'));
  p.searchForm = h('form', { novalidate: true, role: 'search', 'aria-labelledby': 'ir-search-heading' },
    h('h4', { id: 'ir-search-heading' }, t('ir.search_heading')),
    h('div', { class: 'pair' },
      field('ir-search-need', 'ir.search_need', p.searchNeed),
      field('ir-search-text', 'ir.search_text', p.searchText)),
    h('div', { class: 'pair' },
      field('ir-search-postal', 'ir.search_postal', p.searchPostal, 'ir.search_postal_hint'),
      field('ir-search-language', 'ir.search_language', p.searchLanguage),
      field('ir-search-age', 'ir.search_age', p.searchAge)),
    h('div', { class: 'choice' }, p.searchOpen, h('label', { for: 'ir-search-open' }, t('ir.search_open_now'))),
    p.searchAlert, p.searchButton, p.searchLive, p.resultsHeading, p.results);
  p.searchForm.addEventListener('submit', event => { event.preventDefault(); search(p); });

  // Referrals given and sending them by text.
  p.referralList = h('div');
  p.referAlert = alertEl('ir-refer-alert');
  p.sendButton = h('button', { type: 'button', class: 'secondary', 'aria-describedby': 'ir-send-hint' }, t('ir.send_text'));
  p.sendHint = h('p', { class: 'hint', id: 'ir-send-hint' });
  p.sendAlert = alertEl('ir-send-alert');
  p.sendButton.addEventListener('click', () => sendByText(p));

  // Follow-up.
  p.followDays = h('input', { id: 'ir-follow-days', type: 'number', min: 1, max: 90, value: 3, inputmode: 'numeric', class: 'short' });
  p.followQueue = h('input', { id: 'ir-follow-queue', type: 'radio', name: 'ir-follow-method', value: 'queue', checked: true });
  p.followText = h('input', { id: 'ir-follow-text', type: 'radio', name: 'ir-follow-method', value: 'text' });
  p.followButton = h('button', { type: 'submit', class: 'secondary' }, t('ir.follow_submit'));
  p.followAlert = alertEl('ir-follow-alert');
  p.followList = h('div');
  p.followForm = h('form', { novalidate: true, 'aria-labelledby': 'ir-follow-heading' },
    h('h4', { id: 'ir-follow-heading' }, t('ir.follow_heading')),
    p.followList,
    field('ir-follow-days', 'ir.follow_days', p.followDays),
    h('fieldset', null,
      h('legend', null, t('ir.follow_method')),
      h('div', { class: 'choice' }, p.followQueue, h('label', { for: 'ir-follow-queue' }, t('ir.follow_method_queue'))),
      h('div', { class: 'choice' }, p.followText, h('label', { for: 'ir-follow-text' }, t('ir.follow_method_text')))),
    p.followAlert, p.followButton);
  p.followForm.addEventListener('submit', event => { event.preventDefault(); scheduleFollowUp(p); });

  p.workOnly = [p.termForm, p.searchForm, p.sendButton, p.followForm];
  p.section = h('section', { class: 'action information-referral', 'aria-labelledby': 'ir-heading' },
    h('h3', { id: 'ir-heading' }, t('ir.heading')),
    h('div', { class: 'buttons' }, p.crisisButton), p.crisisAlert,
    h('section', { 'aria-labelledby': 'ir-needs-heading' },
      h('h4', { id: 'ir-needs-heading' }, t('ir.needs_heading')),
      p.needList, p.needAlert, p.termForm),
    p.searchForm,
    h('section', { 'aria-labelledby': 'ir-given-heading' },
      h('h4', { id: 'ir-given-heading' }, t('ir.given_heading')),
      p.referralList, p.referAlert, p.sendHint, p.sendButton, p.sendAlert),
    p.followForm);
  p.update = (detail, canWork, mayFlag) => update(p, detail, canWork, mayFlag);
  return p;
}

function update(p, detail, canWork, mayFlag) {
  p.detail = detail;
  const ir = detail.informationReferral || { needs: [], referrals: [], followUps: [] };
  const open = !CLOSED.has(detail.status);
  p.needs = ir.needs;

  // Crisis: the banner with the line to offer, and the toggle.
  if (detail.crisis && detail.crisisLine) {
    const line = detail.crisisLine;
    replace(p.banner,
      h('p', { class: 'crisis-title' }, t('ir.crisis_banner')),
      h('p', null, t('ir.crisis_offer'), ' ', h('a', { href: 'tel:' + line.number, class: 'crisis-number' }, line.number),
        line.demo ? [' ', h('span', { class: 'muted' }, t('ir.crisis_demo'))] : null));
    p.banner.hidden = false;
  } else {
    p.banner.hidden = true;
    replace(p.banner);
  }
  p.crisisButton.textContent = t(detail.crisis ? 'ir.crisis_clear' : 'ir.crisis_flag');
  p.crisisButton.className = detail.crisis ? 'secondary' : 'danger';
  p.crisisButton.hidden = !(mayFlag && open);

  for (const el of p.workOnly) el.hidden = !canWork;

  renderNeeds(p, ir.needs, canWork);
  const chosen = p.searchNeed.value;
  replace(p.searchNeed,
    h('option', { value: '' }, t('ir.search_any_need')),
    ir.needs.map(n => h('option', { value: n.code }, n.name + ' (' + n.code + ')')));
  if (chosen && ir.needs.some(n => n.code === chosen)) p.searchNeed.value = chosen;
  else if (!chosen && ir.needs.length) p.searchNeed.value = ir.needs[ir.needs.length - 1].code;

  renderGivenReferrals(p, ir.referrals);
  const unsent = ir.referrals.filter(r => !r.sentAt).length;
  const consent = detail.resident && detail.resident.notifyConsent && detail.resident.phone;
  p.sendHint.textContent = !consent ? t('ir.send_no_consent')
    : unsent ? t('ir.send_unsent', unsent) : t('ir.send_all_sent');
  p.sendButton.disabled = !consent || unsent === 0;
  p.followText.disabled = !consent;
  if (!consent) p.followQueue.checked = true;

  replace(p.followList, ir.followUps.length
    ? h('ul', { class: 'plain' }, ir.followUps.map(f => h('li', null,
      h('span', { class: 'badge follow-' + f.status }, codeText('ir.follow_status', f.status)), ' ',
      t('ir.follow_line', codeText('ir.follow_by', f.method)), ' ', timeElement(f.dueAt))))
    : h('p', { class: 'empty' }, t('ir.follow_none')));
}

function renderNeeds(p, needs, canWork) {
  replace(p.needList, needs.length
    ? h('ul', { class: 'plain needs' }, needs.map((n, i) => {
      const about = 'ir-need-' + i;
      const item = h('li', null,
        h('p', { id: about },
          h('span', { class: 'strong' }, n.name), ' ', h('span', { class: 'muted' }, '(' + n.code + ')'), ' ',
          h('span', { class: 'badge need-' + n.status }, codeText('ir.need_status', n.status)),
          n.status === 'unmet' ? [' ', codeText('ir.reason', n.unmetReason)] : null,
          n.note ? h('span', { class: 'hint block' }, n.note) : null));
      if (canWork && n.status !== 'unmet') item.append(unmetForm(p, n, i, about));
      return item;
    }))
    : h('p', { class: 'empty' }, t('ir.needs_none')));
}

function unmetForm(p, need, index, about) {
  const reasonId = 'ir-unmet-reason-' + index;
  const noteId = 'ir-unmet-note-' + index;
  const reason = h('select', { id: reasonId },
    h('option', { value: '' }, t('ir.unmet_choose')),
    UNMET_REASONS.map(r => h('option', { value: r }, codeText('ir.reason', r))));
  const note = h('input', { id: noteId, type: 'text', autocomplete: 'off' });
  const button = h('button', { type: 'submit', class: 'secondary small', 'aria-describedby': about }, t('ir.unmet_submit'));
  const alert = alertEl('ir-unmet-alert-' + index);
  const form = h('details', { class: 'unmet' },
    h('summary', null, t('ir.unmet_open')),
    h('form', { class: 'inline-form', novalidate: true },
      field(reasonId, 'ir.unmet_reason', reason), field(noteId, 'ir.unmet_note', note), alert, button));
  form.querySelector('form').addEventListener('submit', async event => {
    event.preventDefault();
    if (!reason.value) {
      showError(alert, t('ir.unmet_required'));
      reason.focus();
      return;
    }
    const result = await p.ctx.runAction([button, reason, note], alert,
      () => p.ctx.invoke('MarkNeedUnmet', p.ctx.number, need.id, reason.value, note.value.trim()));
    if (result.ok) p.ctx.afterCaseAction(result.value, t('ir.done_unmet', need.name));
  });
  return form;
}

function renderGivenReferrals(p, referrals) {
  replace(p.referralList, referrals.length
    ? h('ul', { class: 'plain given' }, referrals.map(r => h('li', null,
      h('p', { class: 'strong' }, r.details.name, r.details.organization && r.details.organization !== r.details.name ? ' — ' + r.details.organization : ''),
      h('dl', { class: 'summary compact' },
        row('ir.address', r.details.address), row('ir.phone', r.details.phone), row('ir.hours', r.details.hours),
        row('ir.eligibility', r.details.eligibility), row('ir.fees', r.details.fees)),
      h('p', { class: 'hint' }, t('ir.given_by', r.referredBy), ' ', timeElement(r.referredAt), ' · ',
        r.sentAt ? [t('ir.sent_at'), ' ', timeElement(r.sentAt)] : t('ir.not_sent')))))
    : h('p', { class: 'empty' }, t('ir.given_none')));
}

/**
 * GET on the staff directory API. A refused search (400) is a validation problem whose errors say what is wrong with
 * each field, in the page's language: they come back as error.fields.
 */
async function directoryGet(url) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.ok) return response.json();
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says it.
  }
  const error = new ApiError(response.status, body && (body.detail || body.title));
  if (body && body.errors) error.fields = Object.values(body.errors).flat();
  throw error;
}

function row(labelKey, value) {
  return value ? [h('dt', null, t(labelKey)), h('dd', null, value)] : null;
}

async function findTerms(p) {
  const q = p.termText.value.trim();
  if (!q) {
    showError(p.termAlert, t('ir.term_required'));
    p.termText.focus();
    return;
  }
  showError(p.termAlert, null);
  p.termButton.disabled = true;
  let terms;
  try {
    const language = p.detail ? p.detail.language : 'en';
    terms = await directoryGet('/api/directory/terms?q=' + encodeURIComponent(q) + '&language=' + language + '&limit=15');
  } catch (error) {
    showError(p.termAlert, apiErrorMessage(error));
    return;
  } finally {
    p.termButton.disabled = false;
  }
  const list = Array.isArray(terms) ? terms : (terms && terms.terms) || [];
  replace(p.termResults, list.map((term, i) => {
    const id = 'ir-term-found-' + i;
    const button = h('button', { type: 'button', class: 'secondary small', 'aria-describedby': id }, t('ir.term_add'));
    button.addEventListener('click', async () => {
      const result = await p.ctx.runAction([button], p.needAlert, () => p.ctx.invoke('RecordNeed', p.ctx.number, term.code));
      if (!result.ok) return;
      replace(p.termResults);
      p.termText.value = '';
      p.ctx.afterCaseAction(result.value, t('ir.done_need', term.name));
      p.termText.focus();
    });
    return h('li', null, h('span', { id }, h('span', { class: 'strong' }, term.name), ' (' + term.code + ')'), ' ', button);
  }));
  p.termLive.textContent = list.length ? t('ir.terms_found', list.length) : t('ir.terms_none');
}

/** The search's query string, from the form: what the directory's staff API takes. */
function searchQuery(p) {
  const params = new URLSearchParams();
  if (p.searchNeed.value) params.append('term', p.searchNeed.value);
  if (p.searchText.value.trim()) params.set('q', p.searchText.value.trim());
  if (p.searchPostal.value.trim()) params.set('postal', p.searchPostal.value.trim());
  if (p.searchOpen.checked) params.set('openNow', 'true');
  if (p.searchLanguage.value) params.set('serviceLanguage', p.searchLanguage.value);
  if (p.searchAge.value.trim()) params.set('age', p.searchAge.value.trim());
  params.set('language', p.detail ? p.detail.language : 'en');
  params.set('limit', '10');
  return params;
}

async function search(p) {
  const age = p.searchAge.value.trim();
  p.searchAge.removeAttribute('aria-invalid');
  if (age && !/^\d{1,3}$/.test(age)) {
    showError(p.searchAlert, t('ir.search_age_invalid'));
    p.searchAge.setAttribute('aria-invalid', 'true');
    p.searchAge.focus();
    return;
  }
  showError(p.searchAlert, null);
  p.searchButton.disabled = true;
  let result;
  try {
    result = await directoryGet('/api/directory/search?' + searchQuery(p).toString());
  } catch (error) {
    const message = error.fields ? error.fields.join(' ') : apiErrorMessage(error);
    showError(p.searchAlert, message);
    replace(p.results);
    p.resultsHeading.hidden = true;
    p.searchLive.textContent = message;
    return;
  } finally {
    p.searchButton.disabled = false;
  }
  const hits = (result && result.hits) || [];
  p.resultsHeading.hidden = hits.length === 0;
  replace(p.results, hits.length ? hits.map((hit, i) => resultItem(p, hit, i)) : h('li', { class: 'empty' }, t('ir.results_none')));
  p.searchLive.textContent = hits.length ? t('ir.results_found', hits.length) : t('ir.results_none');
}

function resultItem(p, hit, index) {
  const id = 'ir-hit-' + index;
  const given = ((p.detail && p.detail.informationReferral && p.detail.informationReferral.referrals) || [])
    .some(r => r.serviceId === hit.serviceId && (r.locationId || null) === (hit.locationId || null));
  const button = h('button', { type: 'button', class: 'primary small', 'aria-describedby': id, disabled: given },
    given ? t('ir.referred') : t('ir.refer'));
  button.addEventListener('click', async () => {
    const need = p.needs.find(n => n.code === p.searchNeed.value && n.status !== 'met')
      || p.needs.find(n => n.code === p.searchNeed.value);
    const result = await p.ctx.runAction([button], p.referAlert,
      () => p.ctx.invoke('GiveReferral', p.ctx.number, hit.serviceId, hit.locationId || null, need ? need.id : null));
    if (!result.ok) return;
    button.textContent = t('ir.referred');
    button.disabled = true;
    p.ctx.afterCaseAction(result.value, t('ir.done_referred', hit.serviceName));
  });
  return h('li', { class: 'hit' },
    h('div', { id },
      h('p', { class: 'strong' }, hit.serviceName,
        hit.organizationName && hit.organizationName !== hit.serviceName ? ' — ' + hit.organizationName : ''),
      h('dl', { class: 'summary compact' },
        row('ir.location', hit.locationName), row('ir.address', hit.address),
        hit.distanceKm !== null && hit.distanceKm !== undefined ? row('ir.distance', t('ir.km', hit.distanceKm.toFixed(1))) : null,
        row('ir.phone', hit.phone), row('ir.hours', hit.hours),
        hit.openNow === true || hit.openNow === false ? row('ir.open_now', hit.openNow ? t('common.yes') : t('common.no')) : null,
        row('ir.eligibility', hit.eligibility), row('ir.fees', hit.fees))),
    button);
}

async function sendByText(p) {
  const result = await p.ctx.runAction([p.sendButton], p.sendAlert, () => p.ctx.invoke('SendReferralsByText', p.ctx.number));
  if (result.ok) p.ctx.afterCaseAction(result.value, t('ir.done_sent'));
}

async function scheduleFollowUp(p) {
  const days = Number(p.followDays.value);
  p.followDays.removeAttribute('aria-invalid');
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    showError(p.followAlert, t('ir.follow_days_invalid'));
    p.followDays.setAttribute('aria-invalid', 'true');
    p.followDays.focus();
    return;
  }
  const method = p.followText.checked ? 'text' : 'queue';
  const result = await p.ctx.runAction([p.followButton, p.followDays], p.followAlert,
    () => p.ctx.invoke('ScheduleFollowUp', p.ctx.number, days, method));
  if (result.ok) p.ctx.afterCaseAction(result.value, t('ir.done_follow', days));
}

async function toggleCrisis(p) {
  const on = !(p.detail && p.detail.crisis);
  const result = await p.ctx.runAction([p.crisisButton], p.crisisAlert, () => p.ctx.invoke('SetCrisis', p.ctx.number, on));
  if (!result.ok) return;
  p.ctx.afterCaseAction(result.value, t(on ? 'ir.done_crisis' : 'ir.done_crisis_cleared'));
  if (on) p.banner.focus();
}
