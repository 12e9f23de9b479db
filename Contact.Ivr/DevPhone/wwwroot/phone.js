// The development phone: one simulated call at a time against this server's real Twilio webhooks.
// The server (POST /dev/phone/send) signs each request as Twilio would and returns the TwiML, parsed into verbs.
// Every string a person reads comes from GET /dev/phone/texts (DevPhone/DevPhoneText*.resx).

let texts = {};

function t(key, ...args) {
  const text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
  return args.length === 0 ? text : text.replace(/\{(\d+)\}/g, (m, i) => (args[i] ?? '').toString());
}

const $ = (id) => document.getElementById(id);

function applyTexts() {
  document.documentElement.lang = t('meta.lang');
  document.title = t('page.title');
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll('[data-t-aria-label]')) el.setAttribute('aria-label', t(el.dataset.tAriaLabel));
  $('lang-link').href = t('lang.switch_url');
  $('lang-link').lang = t('meta.lang') === 'fr' ? 'en' : 'fr';
}

function hex(length) {
  const bytes = new Uint8Array(length / 2);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The call in progress (null between calls). */
let call = null;
/** What the line is waiting for: { kind: 'gather' | 'record', verb, rest }. */
let waiting = null;
let digits = '';

const views = ['idle-view', 'busy-view', 'gather-view', 'record-view', 'queue-view', 'ended-view'];

function show(view, focus) {
  for (const v of views) $(v).hidden = v !== view;
  if (focus) $(focus).focus();
}

function setState() {
  $('state').textContent = call
    ? t('state.active', call.from, call.to, call.sid)
    : (document.body.dataset.ended ? t('state.ended') : t('state.idle'));
  $('call').disabled = call !== null;
  $('hangup').disabled = call === null;
  $('to').disabled = call !== null;
  $('from').disabled = call !== null;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

function log(who, text, language) {
  $('transcript-empty').hidden = true;
  const item = document.createElement('li');
  item.className = 'entry entry-' + who;
  const speaker = document.createElement('span');
  speaker.className = 'speaker';
  speaker.textContent = t('transcript.' + who) + (language ? ' ' + t('transcript.language', language) : '') + ' ';
  const words = document.createElement('span');
  words.textContent = text;
  if (language) words.lang = language;
  item.append(speaker, words);
  $('transcript').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

function relative(url) {
  const parsed = new URL(url, location.origin);
  return parsed.pathname + parsed.search;
}

function baseFields(status = 'in-progress') {
  return {
    CallSid: call.sid,
    AccountSid: call.account,
    From: call.from,
    To: call.to,
    CallStatus: status,
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  };
}

/** Posts one webhook through the server: { result } with its answer, or { error } with the message to show. */
async function post(path, fields) {
  try {
    const response = await fetch('/dev/phone/send', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ path, fields }),
    });
    if (!response.ok) return { error: t('error.status', path, response.status) };
    return { result: await response.json() };
  } catch {
    return { error: t('error.network') };
  }
}

/** Posts one webhook of the call through the server; null when it failed (the error is shown). */
async function send(path, fields) {
  const { result, error } = await post(path, fields);
  if (error) {
    showError(error);
    return null;
  }
  $('twiml').textContent = result.twiml || t('twiml.none');
  log('system', t('transcript.request', path, result.status));
  if (result.status >= 300) {
    showError(t('error.status', path, result.status));
    return null;
  }
  showError('');
  return result;
}

/** Sends a webhook and plays what it answers. */
async function step(path, fields) {
  if (!call) return;
  waiting = null;
  show('busy-view');
  const result = await send(relative(path), fields);
  if (!call) return;
  if (!result) {
    show('idle-view');
    return;
  }
  await play(result.verbs, 0);
}

function say(verb) {
  if (verb.text) log('line', verb.text, verb.language);
}

/** Plays the verbs from index i until one waits for the caller or moves the call elsewhere. */
async function play(verbs, i) {
  for (; i < verbs.length; i++) {
    if (!call) return;
    const verb = verbs[i];
    switch (verb.verb) {
      case 'Say':
        say(verb);
        break;
      case 'Pause':
        log('system', t('transcript.pause', verb.length));
        break;
      case 'Gather':
        for (const child of verb.children || []) {
          if (child.verb === 'Say') say(child);
          else if (child.verb === 'Pause') log('system', t('transcript.pause', child.length));
        }
        startGather(verb, verbs.slice(i + 1));
        return;
      case 'Record':
        waiting = { kind: 'record', verb, rest: verbs.slice(i + 1) };
        $('recording').value = '';
        show('record-view', 'record-heading');
        return;
      case 'Redirect':
        log('system', t('transcript.redirect', relative(verb.url)));
        await step(verb.url, baseFields());
        return;
      case 'Enqueue':
        await enqueue(verb);
        return;
      case 'Hangup':
        await end(false);
        return;
      default:
        if (verb.text) log('line', verb.text);
        break;
    }
  }
  // Nothing more to do: Twilio hangs up.
  await end(false);
}

function startGather(verb, rest) {
  waiting = { kind: 'gather', verb, rest };
  digits = '';
  renderDigits();
  const prompt = (verb.children || []).filter((c) => c.verb === 'Say').map((c) => c.text).join(' ');
  $('gather-prompt').textContent = prompt;
  const finish = finishKey(verb);
  const hints = [];
  if (verb.numDigits) hints.push(t('gather.hint_digits', verb.numDigits));
  if (finish && !verb.numDigits) hints.push(t('gather.hint_finish', finish));
  const speech = (verb.input || 'dtmf').split(/\s+/).includes('speech');
  if (speech) hints.push(t('gather.hint_speech'));
  $('gather-hint').textContent = hints.join(' ');
  $('speech-form').hidden = !speech;
  $('speech').value = '';
  show('gather-view', 'gather-heading');
}

/** Twilio's finishOnKey: "#" unless the TwiML says otherwise ("" means none). */
function finishKey(verb) {
  return verb.finishOnKey === null || verb.finishOnKey === undefined ? '#' : verb.finishOnKey;
}

function renderDigits() {
  $('keys').textContent = digits || t('gather.keys_none');
  $('keys').classList.toggle('digits', digits.length > 0);
  $('send-keys').disabled = digits.length === 0;
  $('clear-keys').disabled = digits.length === 0;
}

async function press(key) {
  if (!waiting || waiting.kind !== 'gather') return;
  const verb = waiting.verb;
  if (key === finishKey(verb)) {
    if (digits.length === 0) {
      await silent();
    } else {
      await sendDigits();
    }
    return;
  }
  digits += key;
  renderDigits();
  if (verb.numDigits && digits.length >= verb.numDigits) await sendDigits();
}

async function sendDigits() {
  if (!waiting || waiting.kind !== 'gather' || digits.length === 0) return;
  const verb = waiting.verb;
  log('you', t('transcript.pressed', digits));
  const sent = digits;
  digits = '';
  await step(verb.action || '/twilio/voice', { ...baseFields(), Digits: sent });
}

async function speak(words) {
  if (!waiting || waiting.kind !== 'gather') return;
  const verb = waiting.verb;
  log('you', t('transcript.said', words));
  await step(verb.action || '/twilio/voice', { ...baseFields(), SpeechResult: words, Confidence: '0.9' });
}

async function silent() {
  if (!waiting || waiting.kind !== 'gather') return;
  const { rest } = waiting;
  waiting = null;
  log('you', t('transcript.silent'));
  show('busy-view');
  await play(rest, 0);
}

async function finishRecording(words) {
  if (!waiting || waiting.kind !== 'record') return;
  const verb = waiting.verb;
  const seconds = Math.max(1, Math.min(verb.maxLength || 120, Math.round(words.split(/\s+/).filter(Boolean).length / 2.5)));
  log('you', t('transcript.recorded', words, seconds));
  await step(verb.action || '/twilio/voice', {
    ...baseFields(),
    RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/ACdev/Recordings/RE' + hex(32),
    RecordingDuration: String(seconds),
    Digits: '#',
  });
}

async function enqueue(verb) {
  waiting = null;
  log('system', t('transcript.queue', verb.name));
  $('queue-heading').textContent = t('queue.waiting', verb.name);
  $('queue-message').textContent = '';
  show('queue-view', 'queue-heading');
  if (!verb.waitUrl) return;
  const result = await send(relative(verb.waitUrl), {
    ...baseFields(), QueueSid: 'QU' + hex(32), QueuePosition: '1', QueueTime: '0', AvgQueueTime: '0', CurrentQueueSize: '1',
  });
  if (!result || !call) return;
  const said = result.verbs.filter((v) => v.verb === 'Say');
  for (const v of said) say(v);
  $('queue-message').textContent = said.map((v) => v.text).join(' ');
}

async function end(byCaller) {
  if (!call) return;
  if (byCaller) log('you', t('transcript.hung_up'));
  const fields = baseFields('completed');
  call = null;
  waiting = null;
  document.body.dataset.ended = '1';
  setState();
  show('ended-view', 'ended-heading');
  await fetch('/dev/phone/send', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ path: '/twilio/status', fields: { ...fields, CallDuration: '60' } }),
  }).catch(() => showError(t('error.network')));
}

/** "Your number" as typed, without spaces or punctuation; null when it is not a phone number. */
function typedFrom() {
  const from = $('from').value.trim().replace(/[\s().-]/g, '');
  return /^\+?\d{7,15}$/.test(from) ? from : null;
}

/** "Your number", or null with the error shown next to the field and the focus moved there. */
function checkedFrom() {
  const from = typedFrom();
  if (!from) {
    $('from-error').textContent = t('error.bad_number');
    $('from-error').hidden = false;
    $('from').setAttribute('aria-invalid', 'true');
    $('from').focus();
    return null;
  }
  $('from-error').hidden = true;
  $('from').removeAttribute('aria-invalid');
  return from;
}

async function start() {
  const from = checkedFrom();
  if (!from) return;
  call = { sid: 'CA' + hex(32), account: 'ACdev' + hex(28), from, to: $('to').value };
  delete document.body.dataset.ended;
  $('transcript').replaceChildren();
  $('transcript-empty').hidden = false;
  $('twiml').textContent = t('twiml.none');
  showError('');
  setState();
  await step('/twilio/voice', baseFields('ringing'));
}

function wire() {
  $('setup').addEventListener('submit', (e) => {
    e.preventDefault();
    start();
  });
  $('hangup').addEventListener('click', () => end(true));
  for (const button of document.querySelectorAll('#keypad button')) {
    button.addEventListener('click', () => press(button.dataset.key));
  }
  // Typing on the keyboard while the keypad has focus presses the keys.
  $('keypad').addEventListener('keydown', (e) => {
    if (/^[0-9*#]$/.test(e.key)) {
      e.preventDefault();
      press(e.key);
    }
  });
  $('send-keys').addEventListener('click', () => sendDigits());
  $('clear-keys').addEventListener('click', () => {
    digits = '';
    renderDigits();
  });
  $('speech-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const words = $('speech').value.trim();
    if (words) speak(words);
  });
  $('silent').addEventListener('click', () => silent());
  $('record-form').addEventListener('submit', (e) => {
    e.preventDefault();
    finishRecording($('recording').value.trim());
  });
}

// ---- Texts: a conversation with the chosen line by SMS, and the notifications sent to your number. ----

const textAccount = 'ACdev' + hex(28);
const statuses = ['pending', 'sending', 'uncertain', 'sent', 'queued', 'delivered', 'undelivered', 'failed', 'cancelled'];
/** The thread shown: the number it belongs to, its notifications by outbox id, and whether they were loaded once. */
let thread = { number: null, notices: new Map(), loaded: false };
let polling = false;

function clock(at) {
  return new Intl.DateTimeFormat(t('meta.lang') + '-CA', { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
}

function showTextsError(message, source = '') {
  $('texts-error').dataset.source = message ? source : '';
  $('texts-error').textContent = message;
  $('texts-error').hidden = !message;
}

function setBetween() {
  const from = typedFrom();
  $('texts-between').textContent = from ? t('texts.between', from, $('to').value) : t('error.bad_number');
}

function statusText(status) {
  return t('texts.status', statuses.includes(status) ? t('texts.status_' + status) : status);
}

/** Adds one bubble to the thread in time order: who is you, line or notice. */
function bubble(who, text, at, { media = [], kind = null, status = null } = {}) {
  $('thread-empty').hidden = true;
  const item = document.createElement('li');
  item.className = 'bubble bubble-' + who;
  item.dataset.at = String(at.getTime());
  const meta = document.createElement('p');
  meta.className = 'bubble-meta';
  const speaker = document.createElement('span');
  speaker.className = 'speaker';
  speaker.textContent = who === 'notice' ? t('texts.notice', kind) : t('texts.' + who);
  const time = document.createElement('time');
  time.dateTime = at.toISOString();
  time.textContent = clock(at);
  meta.append(speaker, ' ', time);
  if (status !== null) {
    const mark = document.createElement('span');
    mark.className = 'status status-' + status;
    mark.textContent = statusText(status);
    meta.append(' ', mark);
  }
  item.append(meta);
  if (text) {
    const words = document.createElement('p');
    words.className = 'bubble-text';
    words.textContent = text;
    item.append(words);
  }
  for (const url of media) {
    const line = document.createElement('p');
    const link = document.createElement('a');
    link.href = url;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.textContent = t('texts.photo_link', url);
    line.append(link);
    item.append(line);
  }
  const later = Array.from($('thread').children).find((li) => Number(li.dataset.at) > at.getTime());
  $('thread').insertBefore(item, later || null);
  if (!later) $('thread').scrollTop = $('thread').scrollHeight;
  return item;
}

function resetThread(number) {
  thread = { number, notices: new Map(), loaded: false };
  $('thread').replaceChildren();
  $('thread-empty').hidden = false;
  showTextsError('');
}

/** Reads the texts the system sent or is sending to your number and adds or updates their bubbles. */
async function poll() {
  const number = typedFrom();
  if (!number || polling) return;
  if (number !== thread.number) resetThread(number);
  polling = true;
  try {
    const response = await fetch('/dev/phone/messages?number=' + encodeURIComponent(number), { headers: { Accept: 'application/json' } });
    if (number !== thread.number) return;
    if (!response.ok) {
      showTextsError(t('error.messages', number, response.status), 'poll');
      return;
    }
    const messages = await response.json();
    if (number !== thread.number) return;
    // What was already there when the thread opened is not read out one by one.
    if (!thread.loaded) $('thread').setAttribute('aria-live', 'off');
    for (const m of messages) {
      const known = thread.notices.get(m.id);
      if (!known) {
        thread.notices.set(m.id, { status: m.status, item: bubble('notice', m.body, new Date(m.created_at), { kind: m.kind, status: m.status }) });
      } else if (known.status !== m.status) {
        known.status = m.status;
        const mark = known.item.querySelector('.status');
        mark.className = 'status status-' + m.status;
        mark.textContent = statusText(m.status);
      }
    }
    if (!thread.loaded) {
      thread.loaded = true;
      setTimeout(() => $('thread').setAttribute('aria-live', 'polite'), 0);
    }
    if ($('texts-error').dataset.source === 'poll') showTextsError('');
  } catch {
    showTextsError(t('error.network'), 'poll');
  } finally {
    polling = false;
  }
}

async function sendText() {
  const from = checkedFrom();
  if (!from) return;
  if (from !== thread.number) resetThread(from);
  const body = $('text-body').value.trim();
  const photo = $('text-photo').value.trim();
  if (photo && !/^https?:\/\/\S+$/i.test(photo)) {
    $('text-photo-error').textContent = t('error.bad_photo');
    $('text-photo-error').hidden = false;
    $('text-photo').setAttribute('aria-invalid', 'true');
    $('text-photo').focus();
    return;
  }
  $('text-photo-error').hidden = true;
  $('text-photo').removeAttribute('aria-invalid');
  if (!body && !photo) {
    showTextsError(t('error.empty_text'));
    $('text-body').focus();
    return;
  }
  showTextsError('');
  const fields = {
    MessageSid: 'SM' + hex(32),
    AccountSid: textAccount,
    From: from,
    To: $('to').value,
    Body: body,
    NumMedia: photo ? '1' : '0',
  };
  if (photo) {
    fields.MediaUrl0 = photo;
    fields.MediaContentType0 = 'image/jpeg';
  }
  bubble('you', body, new Date(), { media: photo ? [photo] : [] });
  $('text-body').value = '';
  $('text-photo').value = '';
  $('send-text').disabled = true;
  try {
    const { result, error } = await post('/twilio/sms', fields);
    if (error) {
      showTextsError(error);
      return;
    }
    $('twiml').textContent = result.twiml || t('twiml.none');
    if (result.status >= 300) {
      showTextsError(t('error.status', '/twilio/sms', result.status));
      return;
    }
    for (const verb of result.verbs.filter((v) => v.verb === 'Message')) {
      bubble('line', verb.text, new Date(), { media: verb.media || [] });
    }
  } finally {
    $('send-text').disabled = false;
    $('text-body').focus();
  }
  await poll();
}

function wireTexts() {
  $('text-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sendText();
  });
  // Enter writes a new line; Ctrl+Enter (or Cmd+Enter) sends.
  $('text-body').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      sendText();
    }
  });
  for (const id of ['from', 'to']) {
    $(id).addEventListener('change', () => {
      setBetween();
      poll();
    });
  }
  $('from').addEventListener('input', setBetween);
  // Every 3 seconds while the page is visible, and at once when it shows again.
  setInterval(() => {
    if (!document.hidden) poll();
  }, 3000);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll();
  });
  setBetween();
  poll();
}

async function main() {
  try {
    const response = await fetch('/dev/phone/texts' + location.search, { headers: { Accept: 'application/json' } });
    if (response.ok) texts = await response.json();
  } catch {
    // Keys show instead of words; the phone still works.
  }
  applyTexts();
  $('twiml').textContent = t('twiml.none');
  wire();
  wireTexts();
  setState();
  show('idle-view');
  document.body.classList.remove('loading');
}

main();
