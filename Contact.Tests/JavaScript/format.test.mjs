import { test } from 'node:test';
import assert from 'node:assert/strict';
import './english.mjs';
import { formatDuration, formatAge } from '../../Contact.Agent/wwwroot/assets/format.js';

test('a duration under a minute reads "< 1 min", as does nothing or a negative one', () => {
  assert.equal(formatDuration(0), '< 1 min');
  assert.equal(formatDuration(59.9), '< 1 min');
  assert.equal(formatDuration(-300), '< 1 min');
  assert.equal(formatDuration(null), '< 1 min');
});

test('minutes, then hours and minutes, then days and hours', () => {
  assert.equal(formatDuration(60), '1 min');
  assert.equal(formatDuration(3599), '59 min');
  assert.equal(formatDuration(3600), '1 h 0 min');
  assert.equal(formatDuration(2 * 3600 + 5 * 60 + 59), '2 h 5 min');
  assert.equal(formatDuration(24 * 3600 - 1), '23 h 59 min');
  assert.equal(formatDuration(3 * 86400 + 4 * 3600 + 59 * 60), '3 d 4 h');
});

test('an age is the duration since its instant', () => {
  const now = Date.parse('2025-03-10T15:00:00Z');
  assert.equal(formatAge('2025-03-10T14:48:00Z', now), '12 min');
  assert.equal(formatAge('2025-03-09T13:00:00Z', now), '1 d 2 h');
  assert.equal(formatAge('2025-03-10T15:00:30Z', now), '< 1 min', 'a clock slightly ahead is not a negative age');
});

test('an age without a valid instant reads "Not given"', () => {
  assert.equal(formatAge('not a date', Date.now()), 'Not given');
  assert.equal(formatAge(undefined, Date.now()), 'Not given');
});
