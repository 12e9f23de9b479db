// The open case's information column: details and due times, the resident, referrals sent and the history.
import { t, codeText, localName } from './texts.js';
import { formatDateTime, formatDuration } from './format.js';
import { firstResponseLateness } from './sla.js';
import { CLOSED } from './queue.js';
import { queueOf } from './state.js';
import { h, replace, timeElement } from './common.js';
import { referralBadge, dlRow, textRow, ageElement, slaElement, slaLabel } from './badges.js';

/** Fills el with the case's information. */
export function renderCaseInfo(el, detail) {
  const resident = detail.resident || {};
  const answers = detail.answers || [];
  const history = (detail.history || []).slice().sort((a, b) => new Date(a.at) - new Date(b.at));
  const referrals = detail.referrals || [];
  const queue = queueOf(detail.queue);
  const coordinates = detail.latitude !== null && detail.latitude !== undefined
    && detail.longitude !== null && detail.longitude !== undefined
    ? t('case.coordinates_value', detail.latitude, detail.longitude) : null;

  replace(el,
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
        dlRow('case.age', ageElement(detail.createdAt)),
        dlRow('case.updated', timeElement(detail.updatedAt)),
        slaRows(detail),
        dlRow('case.address', detail.address),
        detail.addressId ? dlRow('case.address_id', detail.addressId) : null,
        dlRow('case.coordinates', coordinates)),
      h('h4', null, t('case.description')),
      h('p', { class: 'description' }, detail.description || t('common.none')),
      answers.length ? [
        h('h4', null, t('case.answers')),
        h('dl', { class: 'summary' }, answers.map(a =>
          textRow(localName(a.question), a.value === null || a.value === undefined ? a.value : String(a.value)))),
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
  const late = firstResponseLateness(detail);
  const firstResponse = late === null
    ? dueValue(detail.firstResponseDueAt, detail.firstResponseWarningAt, open)
    : [timeElement(detail.firstResponseDueAt), ' ',
      h('span', { class: 'sla block ' + (late > 0 ? 'sla-overdue' : 'sla-on_time') },
        late > 0
          ? [slaLabel('overdue'), ' ', t('sla.responded_late', formatDuration(late))]
          : t('sla.responded_on_time'))];
  return [
    dlRow('case.first_response_due', firstResponse),
    dlRow('case.resolution_due', dueValue(detail.resolutionDueAt, detail.resolutionWarningAt, open)),
    detail.firstResponseAt ? dlRow('case.first_response_at', timeElement(detail.firstResponseAt)) : null,
  ];
}
