// Service-standard clocks: which clock a case shows and whether it is on time, at risk or overdue. The server sends
// when each clock falls at risk (its policy's warning percent, in business time) and when it is due; these only
// compare instants. No DOM: Node imports this module in the JavaScript tests.
import { t } from './texts.js';
import { formatDuration } from './format.js';

/**
 * The clock a row shows: the first response due time while the case waits for its first response (queue rows),
 * the resolution due time once someone holds it. {kind, due, warn, paused, state}; state is null without a due time.
 */
export function slaOf(item, held, now = Date.now()) {
  const firstResponse = !held && !item.firstResponseAt && item.firstResponseDueAt;
  const due = firstResponse ? item.firstResponseDueAt : item.resolutionDueAt;
  const warn = firstResponse ? item.firstResponseWarningAt : item.resolutionWarningAt;
  const kind = firstResponse ? 'first_response' : 'resolution';
  if (item.paused) return { kind, due, warn, paused: true, state: 'paused' };
  return { kind, due, warn, paused: false, state: slaState(warn, due, now) };
}

/** on_time, at_risk (past the warning time the server gave) or overdue (past the due time); null without a due time. */
export function slaState(warnIso, dueIso, now = Date.now()) {
  if (!dueIso) return null;
  const due = new Date(dueIso).getTime();
  if (Number.isNaN(due)) return null;
  if (now >= due) return 'overdue';
  const warn = warnIso ? new Date(warnIso).getTime() : NaN;
  return !Number.isNaN(warn) && now >= warn ? 'at_risk' : 'on_time';
}

/** "3 h 20 min left" or "overdue by 45 min". */
export function slaTimeText(dueIso, now = Date.now()) {
  const left = (new Date(dueIso).getTime() - now) / 1000;
  return left > 0 ? t('sla.left', formatDuration(left)) : t('sla.overdue_by', formatDuration(-left));
}

/** How many seconds after its due time the first response came (zero or less: on time); null without both times. */
export function firstResponseLateness(detail) {
  if (!detail.firstResponseAt || !detail.firstResponseDueAt) return null;
  return (new Date(detail.firstResponseAt).getTime() - new Date(detail.firstResponseDueAt).getTime()) / 1000;
}

/** The supervisor's at-risk row: "overdue by 45 min" or "3 h 20 min left", from the minutes past the due time. */
export function minutesOverText(minutesOver) {
  return minutesOver >= 0 ? t('sla.overdue_by', formatDuration(minutesOver * 60)) : t('sla.left', formatDuration(-minutesOver * 60));
}

/** The supervisor's at-risk row: overdue once flagged so or past due, seconds after the snapshot; else at_risk. */
export function atRiskState(row, elapsedSeconds) {
  return row.overdue || row.minutesOver + elapsedSeconds / 60 >= 0 ? 'overdue' : 'at_risk';
}
