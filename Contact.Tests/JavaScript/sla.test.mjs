import { test } from 'node:test';
import assert from 'node:assert/strict';
import './english.mjs';
import {
  slaOf, slaState, slaTimeText, firstResponseLateness, minutesOverText, atRiskState,
} from '../../Contact.Agent/wwwroot/assets/sla.js';

const warn = '2025-03-10T14:00:00Z';
const due = '2025-03-10T16:00:00Z';
const at = iso => Date.parse(iso);

test('slaState: on time before the warning instant', () => {
  assert.equal(slaState(warn, due, at('2025-03-10T13:59:59Z')), 'on_time');
});

test('slaState: at risk from the warning instant until the due instant', () => {
  assert.equal(slaState(warn, due, at('2025-03-10T14:00:00Z')), 'at_risk');
  assert.equal(slaState(warn, due, at('2025-03-10T15:59:59Z')), 'at_risk');
});

test('slaState: overdue from the due instant', () => {
  assert.equal(slaState(warn, due, at('2025-03-10T16:00:00Z')), 'overdue');
  assert.equal(slaState(warn, due, at('2025-03-11T09:00:00Z')), 'overdue');
});

test('slaState: null without a (valid) due time; on time until due without a warning time', () => {
  assert.equal(slaState(warn, null, at('2025-03-10T15:00:00Z')), null);
  assert.equal(slaState(warn, '', at('2025-03-10T15:00:00Z')), null);
  assert.equal(slaState(warn, 'soon', at('2025-03-10T15:00:00Z')), null);
  assert.equal(slaState(null, due, at('2025-03-10T15:59:00Z')), 'on_time');
  assert.equal(slaState(null, due, at('2025-03-10T16:00:00Z')), 'overdue');
});

const row = {
  firstResponseDueAt: '2025-03-10T12:00:00Z',
  firstResponseWarningAt: '2025-03-10T11:30:00Z',
  resolutionDueAt: '2025-03-12T12:00:00Z',
  resolutionWarningAt: '2025-03-12T08:00:00Z',
  firstResponseAt: null,
  paused: false,
};

test('slaOf: a queue row waiting for its first response shows the first-response clock', () => {
  assert.deepEqual(slaOf(row, false, at('2025-03-10T11:45:00Z')), {
    kind: 'first_response', due: row.firstResponseDueAt, warn: row.firstResponseWarningAt, paused: false, state: 'at_risk',
  });
});

test('slaOf: once held, or once answered, the resolution clock', () => {
  const now = at('2025-03-10T13:00:00Z');
  const held = slaOf(row, true, now);
  assert.equal(held.kind, 'resolution');
  assert.equal(held.due, row.resolutionDueAt);
  assert.equal(held.warn, row.resolutionWarningAt);
  assert.equal(held.state, 'on_time', 'the first response would be overdue by now; the resolution clock is not');
  const answered = slaOf({ ...row, firstResponseAt: '2025-03-10T11:00:00Z' }, false, now);
  assert.equal(answered.kind, 'resolution');
  assert.equal(answered.state, 'on_time');
});

test('slaOf: a queue row without a first-response standard shows the resolution clock', () => {
  const sla = slaOf({ ...row, firstResponseDueAt: null }, false, at('2025-03-12T09:00:00Z'));
  assert.equal(sla.kind, 'resolution');
  assert.equal(sla.state, 'at_risk');
});

test('slaOf: a paused clock is paused whatever the time', () => {
  const sla = slaOf({ ...row, paused: true }, true, at('2025-03-20T00:00:00Z'));
  assert.equal(sla.paused, true);
  assert.equal(sla.state, 'paused');
  assert.equal(sla.kind, 'resolution');
});

test('slaOf: no due time at all, no state', () => {
  assert.equal(slaOf({ paused: false }, true, Date.now()).state, null);
});

test('slaTimeText: time left before due, time overdue after', () => {
  assert.equal(slaTimeText(due, at('2025-03-10T13:40:00Z')), '2 h 20 min left');
  assert.equal(slaTimeText(due, at('2025-03-10T16:45:00Z')), 'overdue by 45 min');
  assert.equal(slaTimeText(due, at(due)), 'overdue by < 1 min');
});

test('firstResponseLateness: seconds after the due time, null until answered', () => {
  assert.equal(firstResponseLateness({ firstResponseDueAt: due, firstResponseAt: '2025-03-10T16:10:00Z' }), 600);
  assert.equal(firstResponseLateness({ firstResponseDueAt: due, firstResponseAt: '2025-03-10T15:00:00Z' }), -3600);
  assert.equal(firstResponseLateness({ firstResponseDueAt: due, firstResponseAt: null }), null);
});

test('the supervisor: minutes past due read as time left or overdue, and turn overdue as time passes', () => {
  assert.equal(minutesOverText(-90), '1 h 30 min left');
  assert.equal(minutesOverText(45), 'overdue by 45 min');
  assert.equal(atRiskState({ minutesOver: -2, overdue: false }, 0), 'at_risk');
  assert.equal(atRiskState({ minutesOver: -2, overdue: false }, 120), 'overdue');
  assert.equal(atRiskState({ minutesOver: -30, overdue: true }, 0), 'overdue');
});
