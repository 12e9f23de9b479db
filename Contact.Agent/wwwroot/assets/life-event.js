// Tell us once from the desktop: an agent holding a caller's or walk-in's case picks a life event (the one the
// caller chose on the phone is picked already), asks its shared questions once, keeps the services that apply,
// asks their own questions, and files it for the resident; the case's contact details fill what is left blank.
// The life events' definitions come from GET /api/life-events; filing goes through the hub (TellLifeEvent).
import { t, lang, localName } from './texts.js';
import { h, replace, alertEl, api, showError } from './common.js';

let definitions = null;

async function loadDefinitions() {
  definitions ??= await api('GET', '/api/life-events');
  return definitions;
}

/**
 * Builds the panel for one open case. ctx: { number, invoke, runAction, afterCaseAction, announce }.
 * Returns { section, update(detail, canWork) }.
 */
export function lifeEventPanel(ctx) {
  const p = { ctx, code: null, detail: null, controls: {} };
  p.select = h('select', { id: 'le-event' });
  p.select.addEventListener('change', () => build(p, p.select.value));
  p.alert = alertEl('le-alert');
  p.form = h('form', { class: 'life-event-form', novalidate: true, hidden: true });
  p.form.addEventListener('submit', event => { event.preventDefault(); submit(p); });
  p.result = h('p', { class: 'notice', role: 'status', hidden: true });
  p.section = h('section', { class: 'action life-event', 'aria-labelledby': 'le-heading' },
    h('h3', { id: 'le-heading' }, t('life.heading')),
    h('p', { class: 'hint' }, t('life.intro')),
    h('div', { class: 'field' }, h('label', { for: 'le-event' }, t('life.choose')), p.select),
    p.form, p.alert, p.result);
  p.update = (detail, canWork) => update(p, detail, canWork);
  return p;
}

async function update(p, detail, canWork) {
  p.detail = detail;
  p.section.hidden = !canWork;
  if (!canWork || p.select.options.length > 0) return;
  let events;
  try {
    events = await loadDefinitions();
  } catch {
    showError(p.alert, t('life.unavailable'));
    return;
  }
  replace(p.select, h('option', { value: '' }, t('life.none_chosen')),
    events.map(e => h('option', { value: e.code }, localName(e.name, e.code))));
  if (detail.lifeEventRequested && events.some(e => e.code === detail.lifeEventRequested)) {
    p.select.value = detail.lifeEventRequested;
    build(p, detail.lifeEventRequested);
  }
}

function build(p, code) {
  showError(p.alert, null);
  p.result.hidden = true;
  const definition = (definitions || []).find(e => e.code === code);
  p.code = definition ? code : null;
  p.controls = { shared: {}, services: {}, own: {}, contact: {} };
  if (!definition) {
    p.form.hidden = true;
    replace(p.form);
    return;
  }
  const shared = definition.questions.map(q => question(p.controls.shared, 'le-shared-' + q.code, q));
  const services = h('fieldset', null, h('legend', null, t('life.services')),
    definition.services.map(s => {
      const id = 'le-service-' + s.category;
      const box = h('input', { type: 'checkbox', id, value: s.category, checked: true });
      p.controls.services[s.category] = box;
      return h('div', { class: 'choice' }, box,
        h('label', { for: id }, localName(s.name, s.category), ' ', h('span', { class: 'delivered-by' }, localName(s.deliveredBy))));
    }));
  const own = definition.services.filter(s => s.questions.length > 0).map(s => {
    p.controls.own[s.category] = {};
    return h('fieldset', null, h('legend', null, localName(s.name, s.category)),
      s.questions.map(q => question(p.controls.own[s.category], `le-own-${s.category}-${q.code}`, q)));
  });
  const resident = p.detail.resident || {};
  const contact = ['name', 'phone', 'email'].map(f => {
    const input = h('input', { id: 'le-contact-' + f, type: f === 'email' ? 'email' : f === 'phone' ? 'tel' : 'text', value: resident[f] || '' });
    p.controls.contact[f] = input;
    return h('div', { class: 'field' }, h('label', { for: input.id }, t('life.contact_' + f)), input);
  });
  p.submit = h('button', { type: 'submit', class: 'primary' }, t('life.submit'));
  replace(p.form, h('fieldset', null, h('legend', null, t('life.shared')), shared), services, own,
    h('fieldset', null, h('legend', null, t('life.contact')), contact), p.submit);
  p.form.hidden = false;
}

/** A control for one catalog question; its values are read back by controls[code](). */
function question(controls, id, q) {
  const label = localName(q.prompt, q.code) + (q.required ? '' : ' ' + t('life.optional'));
  if (q.datatype === 'singlevaluelist') {
    const select = h('select', { id }, h('option', { value: '' }, t('life.none_chosen')),
      q.choices.map(c => h('option', { value: c.key }, localName(c.name, c.key))));
    controls[q.code] = () => (select.value ? [select.value] : []);
    return h('div', { class: 'field' }, h('label', { for: id }, label), select);
  }
  if (q.datatype === 'multivaluelist') {
    const boxes = q.choices.map((c, i) => h('input', { type: 'checkbox', id: `${id}-${i}`, value: c.key }));
    controls[q.code] = () => boxes.filter(b => b.checked).map(b => b.value);
    return h('fieldset', null, h('legend', null, label),
      boxes.map((b, i) => h('div', { class: 'choice' }, b, h('label', { for: b.id }, localName(q.choices[i].name, q.choices[i].key)))));
  }
  const input = q.datatype === 'text' ? h('textarea', { id, rows: 2 })
    : h('input', { id, type: q.datatype === 'datetime' ? 'date' : 'text', inputmode: q.datatype === 'number' ? 'decimal' : null });
  controls[q.code] = () => (input.value.trim() ? [input.value.trim()] : []);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

/** A problem's arguments with the question's or the service's name in place of its code. */
function named(definition, problem) {
  const args = [...problem.args];
  const [first, service, third, code] = problem.field.split('.');
  const shared = first === 'shared' ? definition.questions.find(q => q.code === service) : null;
  const own = first === 'services' && third === 'answers'
    ? (definition.services.find(s => s.category === service)?.questions || []).find(q => q.code === code) : null;
  const named = first === 'services' && !third ? definition.services.find(s => s.category === (service || args[0])) : null;
  if (args.length > 0 && (shared || own)) args[0] = localName((shared || own).prompt, args[0]);
  else if (args.length > 0 && named) args[0] = localName(named.name, args[0]);
  return args;
}

function read(group) {
  return Object.fromEntries(Object.entries(group).map(([code, values]) => [code, values()]).filter(([, v]) => v.length > 0));
}

async function submit(p) {
  if (!p.code) return;
  const c = p.controls;
  const services = Object.values(c.services).filter(b => b.checked).map(b => b.value);
  const form = {
    shared: read(c.shared),
    services,
    answers: Object.fromEntries(services.filter(s => c.own[s]).map(s => [s, read(c.own[s])])),
    name: c.contact.name.value.trim() || null,
    phone: c.contact.phone.value.trim() || null,
    email: c.contact.email.value.trim() || null,
    notify: !!(p.detail.resident && p.detail.resident.notifyConsent),
    language: p.detail.language || lang(),
  };
  const result = await p.ctx.runAction([p.submit, p.select], p.alert, () => p.ctx.invoke('TellLifeEvent', p.ctx.number, p.code, form));
  if (!result.ok) return;
  const told = result.value;
  if (told.problems.length > 0) {
    const definition = definitions.find(e => e.code === p.code);
    showError(p.alert, told.problems.map(problem => t('life.error.' + problem.code, ...named(definition, problem))).join(' '));
    return;
  }
  p.result.textContent = t('life.filed', told.number);
  p.result.hidden = false;
  p.ctx.announce(t('life.filed', told.number));
  p.ctx.afterCaseAction(await p.ctx.invoke('OpenCase', p.ctx.number), null);
}
