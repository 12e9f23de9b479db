// The agent desktop's one shared state: who is signed in, the lists the hub keeps current, the reference data of
// the last snapshot and the open case. Modules read it and change it through these functions. No DOM.
import { upsertItem } from './queue.js';

/** What the desktop knows; replaced field by field, never as a whole (modules hold this object). */
export const state = {
  me: null,
  queue: [],
  mine: [],
  referrals: [],
  categories: [],
  queues: [],
  providers: [],
  openCase: null,
};

/** Back to nobody signed in. */
export function resetState() {
  Object.assign(state, { me: null, queue: [], mine: [], referrals: [], categories: [], queues: [], providers: [], openCase: null });
}

/** Takes the lists and reference data of a hub snapshot. */
export function applySnapshot(snapshot) {
  if (snapshot.me) state.me = snapshot.me;
  state.queue = (snapshot.queue || []).slice();
  state.mine = (snapshot.mine || []).slice();
  state.referrals = (snapshot.referrals || []).slice();
  state.categories = snapshot.categories || [];
  state.queues = snapshot.queues || [];
  state.providers = snapshot.providers || [];
}

/** A provider user: sees the referrals view, not the queue. */
export function isProvider() {
  return !!state.me && state.me.role === 'provider';
}

/** A supervisor or an admin: works any case they see. */
export function oversees() {
  return !!state.me && (state.me.role === 'supervisor' || state.me.role === 'admin');
}

/** Is this case held by the signed-in user? */
export function heldByMe(detail) {
  return !!state.me && detail.assignedTo === state.me.userName;
}

/** Puts a queue item in the queue and my cases; true when it is new to the queue. */
export function putItem(item) {
  return upsertItem(state, item, state.me);
}

/** Takes a case out of both lists. */
export function removeItem(number) {
  state.queue = state.queue.filter(q => q.number !== number);
  state.mine = state.mine.filter(q => q.number !== number);
}

/** Takes a case out of my cases (released or transferred: the hub says where it goes next). */
export function dropMine(number) {
  state.mine = state.mine.filter(q => q.number !== number);
}

/** Puts a referral in the provider's list; true when it is new. */
export function putReferral(referral) {
  const at = state.referrals.findIndex(r => r.id === referral.id);
  if (at >= 0) state.referrals[at] = referral;
  else state.referrals.push(referral);
  return at < 0;
}

/** A queue's name in the snapshot's reference data, else its code. */
export function queueOf(code) {
  return state.queues.find(q => q.code === code);
}
