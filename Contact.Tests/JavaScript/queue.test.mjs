import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareQueue, belongsInQueue, belongsInMine, upsertItem, toQueueItem, paneNeedsRefresh, referralLists,
} from '../../Contact.Agent/wwwroot/assets/queue.js';

test('compareQueue: the server\'s order key, compared ordinally', () => {
  assert.ok(compareQueue({ order: '0|1|2025', number: '9' }, { order: '1|0|2024', number: '1' }) < 0);
  assert.ok(compareQueue({ order: '1|0|2024', number: '1' }, { order: '0|1|2025', number: '9' }) > 0);
  // Ordinal, not by locale: "B" (0x42) comes before "a" (0x61), where a locale order puts "a" first.
  assert.ok(compareQueue({ order: 'B', number: '2' }, { order: 'a', number: '1' }) < 0);
  assert.ok(compareQueue({ order: 'a', number: '1' }, { order: 'B', number: '2' }) > 0);
});

test('compareQueue: equal keys by case number; a missing key first', () => {
  assert.ok(compareQueue({ order: 'k', number: '2025001' }, { order: 'k', number: '2025002' }) < 0);
  assert.ok(compareQueue({ order: 'k', number: '2025002' }, { order: 'k', number: '2025001' }) > 0);
  assert.equal(compareQueue({ order: 'k', number: '2025001' }, { order: 'k', number: '2025001' }), 0);
  assert.ok(compareQueue({ number: '5' }, { order: '0', number: '1' }) < 0);
});

test('sorting by compareQueue gives the order Claim next takes', () => {
  const items = [
    { order: '2|b', number: '3' }, { order: '0|z', number: '4' }, { order: '2|a', number: '2' }, { order: '2|a', number: '1' },
  ];
  assert.deepEqual(items.sort(compareQueue).map(i => i.number), ['4', '1', '2', '3']);
});

const me = { userName: 'agent.en' };

test('the queue holds open cases nobody holds; my cases the open ones I hold', () => {
  assert.equal(belongsInQueue({ assignedTo: null, status: 'new' }), true);
  assert.equal(belongsInQueue({ status: 'in_progress' }), true);
  assert.equal(belongsInQueue({ assignedTo: 'agent.en', status: 'in_progress' }), false);
  assert.equal(belongsInQueue({ assignedTo: null, status: 'resolved' }), false);
  assert.equal(belongsInMine({ assignedTo: 'agent.en', status: 'in_progress' }, me), true);
  assert.equal(belongsInMine({ assignedTo: 'agent.en', status: 'closed' }, me), false);
  assert.equal(belongsInMine({ assignedTo: 'agent.fr', status: 'in_progress' }, me), false);
  assert.equal(belongsInMine({ assignedTo: 'agent.en', status: 'in_progress' }, null), false);
});

test('upsertItem keeps the queue in order, says what is new, and moves a claimed case to my cases', () => {
  const lists = { queue: [{ number: '1', order: 'a' }, { number: '3', order: 'c' }], mine: [] };
  assert.equal(upsertItem(lists, { number: '2', order: 'b', status: 'new' }, me), true);
  assert.deepEqual(lists.queue.map(i => i.number), ['1', '2', '3']);
  assert.equal(upsertItem(lists, { number: '3', order: '0', status: 'new' }, me), false, 'already waiting');
  assert.deepEqual(lists.queue.map(i => i.number), ['3', '1', '2']);
  assert.equal(upsertItem(lists, { number: '1', order: 'a', status: 'in_progress', assignedTo: 'agent.en' }, me), false);
  assert.deepEqual(lists.queue.map(i => i.number), ['3', '2']);
  assert.deepEqual(lists.mine.map(i => i.number), ['1']);
  upsertItem(lists, { number: '1', order: 'a', status: 'resolved', assignedTo: 'agent.en' }, me);
  assert.deepEqual(lists.mine, []);
});

test('toQueueItem: a case detail as its row; a follow-up that needs someone is flagged', () => {
  const detail = {
    number: '2025001', line: '211', status: 'in_progress', order: 'x', paused: 0, crisis: undefined,
    informationReferral: { followUps: [{ status: 'scheduled' }, { status: 'answered_no' }] },
  };
  const item = toQueueItem(detail);
  assert.equal(item.number, '2025001');
  assert.equal(item.order, 'x');
  assert.equal(item.paused, false);
  assert.equal(item.crisis, false);
  assert.equal(item.followUp, true);
  assert.equal(toQueueItem({ ...detail, informationReferral: { followUps: [{ status: 'scheduled' }] } }).followUp, false);
  assert.equal(toQueueItem({ ...detail, informationReferral: null }).followUp, false);
});

test('paneNeedsRefresh: only the open case, only when what the pane shows changed', () => {
  const open = { number: '1', assignedTo: null, status: 'new', priority: 'normal', category: 'pothole', queue: 'roads' };
  assert.equal(paneNeedsRefresh(open, { ...open }), false);
  assert.equal(paneNeedsRefresh(open, { ...open, priority: 'high' }), true);
  assert.equal(paneNeedsRefresh(open, { ...open, assignedTo: 'agent.en' }), true);
  assert.equal(paneNeedsRefresh(open, { ...open, number: '2', status: 'resolved' }), false);
  assert.equal(paneNeedsRefresh(null, open), false);
});

test('referralLists: open ones by status, priority and age; done ones newest first', () => {
  const referrals = [
    { id: 1, status: 'accepted', priority: 'urgent', createdAt: '2025-03-01T00:00:00Z' },
    { id: 2, status: 'sent', priority: 'low', createdAt: '2025-03-01T00:00:00Z' },
    { id: 3, status: 'sent', priority: 'urgent', createdAt: '2025-03-02T00:00:00Z' },
    { id: 4, status: 'sent', priority: 'urgent', createdAt: '2025-03-01T00:00:00Z' },
    { id: 5, status: 'completed', priority: 'high', createdAt: '2025-03-01T00:00:00Z', updatedAt: '2025-03-03T00:00:00Z' },
    { id: 6, status: 'declined', priority: 'low', createdAt: '2025-03-01T00:00:00Z', updatedAt: '2025-03-04T00:00:00Z' },
  ];
  const { open, done } = referralLists(referrals);
  assert.deepEqual(open.map(r => r.id), [4, 3, 2, 1]);
  assert.deepEqual(done.map(r => r.id), [6, 5]);
});
