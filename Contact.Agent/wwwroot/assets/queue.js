// The queue, my cases and a provider's referrals as data: which list a case belongs in, the order the server gave, and turning a case the
// server returned into a row. No DOM: Node imports this module in the JavaScript tests.

/** A case in one of these statuses is done with: it leaves the queue and my cases. */
export const CLOSED = new Set(['resolved', 'closed']);

/** The server's order (crisis and priority, then age), compared ordinally; ties by number. The order Claim next takes. */
export function compareQueue(a, b) {
  const oa = String(a.order || '');
  const ob = String(b.order || '');
  if (oa !== ob) return oa < ob ? -1 : 1;
  return String(a.number) < String(b.number) ? -1 : String(a.number) > String(b.number) ? 1 : 0;
}

/** Waiting for someone: held by nobody and still open. */
export function belongsInQueue(item) {
  return (item.assignedTo === null || item.assignedTo === undefined) && !CLOSED.has(item.status);
}

/** Held by this user (a StaffView, or null) and still open. */
export function belongsInMine(item, me) {
  return !!me && item.assignedTo === me.userName && !CLOSED.has(item.status);
}

/**
 * Puts a QueueItem where it belongs in the lists {queue, mine} (in place): the queue stays in the server's order, my
 * cases keep their place. Returns true when the item is new to the queue.
 */
export function upsertItem(lists, item, me) {
  const { queue, mine } = lists;
  const at = queue.findIndex(q => q.number === item.number);
  let arrived = false;
  if (belongsInQueue(item)) {
    if (at >= 0) queue.splice(at, 1);
    const insertAt = queue.findIndex(q => compareQueue(item, q) < 0);
    queue.splice(insertAt < 0 ? queue.length : insertAt, 0, item);
    arrived = at < 0;
  } else if (at >= 0) {
    queue.splice(at, 1);
  }

  const mineAt = mine.findIndex(q => q.number === item.number);
  if (belongsInMine(item, me)) {
    if (mineAt >= 0) mine[mineAt] = item;
    else mine.push(item);
  } else if (mineAt >= 0) {
    mine.splice(mineAt, 1);
  }
  return arrived;
}

/** The queue row of a CaseDetail the server returned. */
export function toQueueItem(detail) {
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

/** Has the case changed in a way the open case pane must show (holder, status, priority, category or queue)? */
export function paneNeedsRefresh(open, item) {
  return !!open && open.number === item.number
    && (open.assignedTo !== item.assignedTo || open.status !== item.status || open.priority !== item.priority
      || open.category !== item.category || open.queue !== item.queue);
}

// ---------- a provider's referrals ----------

/** A referral in one of these statuses waits for the provider. */
export const OPEN_REFERRAL = new Set(['sent', 'accepted']);

const REFERRAL_STATUS_RANK = { sent: 0, accepted: 1, declined: 2, completed: 3 };
const PRIORITY_RANK = { urgent: 0, high: 1, normal: 2, low: 3 };

/** {open, done}: open ones by status, priority and age (oldest first); done ones by their last change (newest first). */
export function referralLists(referrals) {
  const sorted = referrals.slice().sort((a, b) =>
    (REFERRAL_STATUS_RANK[a.status] ?? 9) - (REFERRAL_STATUS_RANK[b.status] ?? 9)
    || (PRIORITY_RANK[a.priority] ?? 2) - (PRIORITY_RANK[b.priority] ?? 2)
    || new Date(a.createdAt) - new Date(b.createdAt));
  const open = sorted.filter(r => OPEN_REFERRAL.has(r.status));
  const done = sorted.filter(r => !OPEN_REFERRAL.has(r.status))
    .sort((a, b) => new Date(b.updatedAt || b.createdAt) - new Date(a.updatedAt || a.createdAt));
  return { open, done };
}
