// Checks made before asking the server, so a person hears what is missing at once. Each returns the key of the
// text to show (and which input is wrong), or null when the input is fine. No DOM: Node imports this module.

/** A note to add: required. */
export function noteProblem(text) {
  return text.trim() ? null : 'note.required';
}

/** An outcome: resolving or closing needs a note (the server refuses without one); waiting on the resident does not. */
export function outcomeProblem(which, note) {
  return which !== 'waiting' && !note.trim() ? 'outcome.required' : null;
}

/** A referral's response: declining needs a reason. */
export function responseProblem(which, text) {
  return which === 'decline' && !text.trim() ? 'referral.reason_required' : null;
}

/** A coordinate as typed (a decimal comma is allowed): null when empty, NaN when not a number. */
export function parseCoordinate(text) {
  const value = text.trim().replace(',', '.');
  if (value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : NaN;
}

/**
 * A new location: an address, coordinates (both, in range) or both. Returns null, or {key, input} where input is
 * 'address', 'latitude' or 'longitude'. Latitude and longitude are parseCoordinate's values.
 */
export function locationProblem(address, latitude, longitude) {
  if (Number.isNaN(latitude) || (latitude !== null && (latitude < -90 || latitude > 90))) {
    return { key: 'change.latitude_invalid', input: 'latitude' };
  }
  if (Number.isNaN(longitude) || (longitude !== null && (longitude < -180 || longitude > 180))) {
    return { key: 'change.longitude_invalid', input: 'longitude' };
  }
  if ((latitude === null) !== (longitude === null)) {
    return { key: 'change.coordinates_pair', input: latitude === null ? 'latitude' : 'longitude' };
  }
  if (!address.trim() && latitude === null) return { key: 'change.location_required', input: 'address' };
  return null;
}

/** A case number as a supervisor types it: 7 to 10 digits. */
export function isCaseNumber(text) {
  return /^\d{7,10}$/.test(text.trim());
}
