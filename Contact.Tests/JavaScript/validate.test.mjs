import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  noteProblem, outcomeProblem, responseProblem, parseCoordinate, locationProblem, isCaseNumber,
} from '../../Contact.Agent/wwwroot/assets/validate.js';

test('a note is required; blank is not a note', () => {
  assert.equal(noteProblem(''), 'note.required');
  assert.equal(noteProblem('  \n '), 'note.required');
  assert.equal(noteProblem('Called back'), null);
});

test('resolving or closing needs a note; waiting on the resident does not', () => {
  assert.equal(outcomeProblem('resolve', ' '), 'outcome.required');
  assert.equal(outcomeProblem('close', ''), 'outcome.required');
  assert.equal(outcomeProblem('waiting', ''), null);
  assert.equal(outcomeProblem('resolve', 'Filled'), null);
});

test('declining a referral needs a reason; accepting and completing do not', () => {
  assert.equal(responseProblem('decline', ''), 'referral.reason_required');
  assert.equal(responseProblem('decline', 'Full'), null);
  assert.equal(responseProblem('accept', ''), null);
  assert.equal(responseProblem('complete', ''), null);
});

test('a coordinate: empty is none, a decimal comma is allowed, words are not a number', () => {
  assert.equal(parseCoordinate('  '), null);
  assert.equal(parseCoordinate('45.42'), 45.42);
  assert.equal(parseCoordinate(' -75,69 '), -75.69);
  assert.ok(Number.isNaN(parseCoordinate('north')));
});

test('a location: an address, coordinates in range and in pairs', () => {
  assert.equal(locationProblem('1 Main St', null, null), null);
  assert.equal(locationProblem('', 45.4, -75.7), null);
  assert.deepEqual(locationProblem('', null, null), { key: 'change.location_required', input: 'address' });
  assert.deepEqual(locationProblem('x', 91, 0), { key: 'change.latitude_invalid', input: 'latitude' });
  assert.deepEqual(locationProblem('x', NaN, 0), { key: 'change.latitude_invalid', input: 'latitude' });
  assert.deepEqual(locationProblem('x', 0, -180.5), { key: 'change.longitude_invalid', input: 'longitude' });
  assert.deepEqual(locationProblem('x', 45, null), { key: 'change.coordinates_pair', input: 'longitude' });
  assert.deepEqual(locationProblem('x', null, -75), { key: 'change.coordinates_pair', input: 'latitude' });
});

test('a case number is 7 to 10 digits', () => {
  assert.equal(isCaseNumber('2025001'), true);
  assert.equal(isCaseNumber('2025000001'), true);
  assert.equal(isCaseNumber('202500'), false);
  assert.equal(isCaseNumber('20250000011'), false);
  assert.equal(isCaseNumber('2025-01'), false);
});
