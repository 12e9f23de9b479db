// The desktop's words: every string a person reads comes from GET /agent/texts (Desktop/DesktopText*.resx); nothing
// here is hard-coded user-visible text. No DOM: Node imports this module in the JavaScript tests.

let texts = {};

/** Loads the texts in the user's language; retries (with back-off) until the server answers. */
export async function loadTexts() {
  let delay = 1000;
  for (;;) {
    try {
      const response = await fetch('/agent/texts' + location.search, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (response.ok) return setTexts(await response.json());
    } catch {
      // The server is not reachable yet: try again below.
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 15000);
  }
}

/** Uses these texts (what loadTexts received; the tests give their own). */
export function setTexts(loaded) {
  texts = loaded || {};
  return texts;
}

/** The text for key, with {0}, {1}, … replaced by args. A missing key shows the key (never throws). */
export function t(key, ...args) {
  const text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : null;
  if (text === null) {
    console.warn('Missing text', key);
    return key;
  }
  return args.length === 0 ? text : text.replace(/\{(\d+)\}/g, (m, i) => (args[i] ?? '').toString());
}

/** True when the key exists (for optional texts such as status names the server may add later). */
function hasText(key) {
  return Object.prototype.hasOwnProperty.call(texts, key);
}

/** A text for a code (status, priority, …) that falls back to the code itself when unknown. */
export function codeText(prefix, code) {
  if (code === null || code === undefined || code === '') return t('common.none');
  const key = prefix + '.' + code;
  return hasText(key) ? t(key) : String(code);
}

/** The user's language code ("en" or "fr"), as the server chose it. */
export function lang() {
  return hasText('meta.lang') ? texts['meta.lang'] : 'en';
}

/** The locale for Intl (e.g. "en-CA"). */
export function locale() {
  return hasText('meta.locale') ? texts['meta.locale'] : lang();
}

/** A bilingual {en, fr} name in the current language. */
export function localName(name, fallback) {
  if (!name) return fallback ?? '';
  if (typeof name === 'string') return name;
  return name[lang()] || name.en || name.fr || fallback || '';
}

function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}
