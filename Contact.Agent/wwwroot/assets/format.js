// Durations, ages, dates, numbers and lists in the user's language. No DOM: Node imports this module in the tests.
import { t, lang, locale } from './texts.js';

const dateFormats = new Map();

/** A date and time in the user's language. */
export function formatDateTime(iso) {
  if (!iso) return t('common.none');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const key = locale();
  if (!dateFormats.has(key)) dateFormats.set(key, new Intl.DateTimeFormat(key, { dateStyle: 'medium', timeStyle: 'short' }));
  return dateFormats.get(key).format(date);
}

/** A duration in seconds as "12 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  if (s < 60) return t('age.under_minute');
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return t('age.minutes', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('age.hours', hours, minutes % 60);
  return t('age.days', Math.floor(hours / 24), hours % 24);
}

/** Age since an ISO date. */
export function formatAge(iso, now = Date.now()) {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return t('common.none');
  return formatDuration((now - then) / 1000);
}

/** A number in the user's language. */
export function formatNumber(n) {
  return new Intl.NumberFormat(locale()).format(n ?? 0);
}

/** "a, b and c" in the user's language. */
export function listFormat(items) {
  try {
    return new Intl.ListFormat(lang(), { style: 'long', type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}
