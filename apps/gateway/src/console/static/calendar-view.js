// The operator's holiday calendar: which years every case clock counts on are published, and
// loading next year's State Council arrangement (one day a line, as the notice lists them).
// @ts-check

import { api, ApiError } from './api.js';
import { byId, h, mount, table } from './dom.js';
import { errorText, formatNumber, problemMessage, t } from './i18n.js';

/** @typedef {import('./api.js').Problem} Problem */
/** @typedef {{ code: string, year: number, message: string }} CalendarWarning */
/** @typedef {{ year: number, status: string, source: string, holidays: number, workingWeekends: number }} CalendarYear */

/** @type {Record<string, import('./i18n.js').UiKey>} */
const STATUS = { published: 'calendarPublished', provisional: 'calendarProvisional', computed: 'calendarComputed' };
/** @type {Record<string, import('./i18n.js').UiKey>} */
const SOURCE = { 'built-in': 'calendarBuiltIn', statutory: 'calendarStatutory' };

/**
 * Warnings for the banner on every operator page (next year's arrangement missing from 1 Nov).
 * @returns {Promise<CalendarWarning[]>}
 */
export async function calendarWarnings() {
  return (await api('/api/v1/operator/holidays')).warnings;
}

/**
 * "2028-01-25 春节" lines → [{date, name}], or the number of the first line that does not read so.
 * @param {string} text
 */
function parseDays(text) {
  const days = [];
  const lines = text.split('\n').map((l) => l.trim());
  for (let i = 0; i < lines.length; i += 1) {
    if (lines[i] === '') continue;
    const m = /^(\d{4}-\d{2}-\d{2})[\s,，、]+(.+)$/.exec(lines[i]);
    if (!m) return { line: i + 1 };
    days.push({ date: m[1], name: m[2].trim() });
  }
  return { days };
}

/** @param {HTMLElement} main */
export async function renderCalendar(main) {
  const body = h('div', {});
  /** @type {(id: string, label: string, control: HTMLElement, hint?: string) => HTMLElement} */
  const field = (id, label, control, hint) =>
    h('div', { class: 'field' }, h('label', { for: id }, label, h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), control, hint ? h('div', { class: 'hint', id: `${id}-hint` }, hint) : null, h('div', { class: 'field-error', id: `${id}-error`, role: 'alert' }));
  const year = h('input', { id: 'calendar-year', inputmode: 'numeric', maxlength: '4', autocomplete: 'off', value: String(new Date().getFullYear() + 1) });
  const source = h('input', { id: 'calendar-source', maxlength: '120', autocomplete: 'off', 'aria-describedby': 'calendar-source-hint' });
  const holidays = h('textarea', { id: 'calendar-holidays', rows: '8', class: 'mono wide', spellcheck: 'false', 'aria-describedby': 'calendar-holidays-hint' });
  const working = h('textarea', { id: 'calendar-working', rows: '4', class: 'mono wide', spellcheck: 'false', 'aria-describedby': 'calendar-working-hint' });
  const reason = h('input', { id: 'calendar-reason', maxlength: '400', autocomplete: 'off' });
  const outcome = h('p', { id: 'calendar-outcome', role: 'status', 'aria-live': 'polite' });
  const summary = h('div', {});
  // The API's field paths → the control whose error box shows the problem.
  /** @type {Record<string, string>} */
  const controls = { year: 'calendar-year', source: 'calendar-source', holidays: 'calendar-holidays', workingWeekends: 'calendar-working', reason: 'calendar-reason' };

  const form = h(
    'form',
    { class: 'card', novalidate: true, id: 'calendar-form', 'aria-labelledby': 'calendar-load-title' },
    h('h2', { id: 'calendar-load-title' }, t('calendarLoadTitle')),
    summary,
    field('calendar-year', t('calendarLoadYear'), year),
    field('calendar-source', t('calendarLoadSource'), source, t('calendarLoadSourceHint')),
    field('calendar-holidays', t('calendarLoadHolidays'), holidays, t('calendarLoadHolidaysHint')),
    field('calendar-working', t('calendarLoadWorking'), working, t('calendarLoadWorkingHint')),
    field('calendar-reason', t('calendarLoadReason'), reason, t('federationReasonHint')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'calendar-submit' }, t('calendarLoadSubmit'))),
    outcome,
  );
  mount(main, h('h1', {}, t('calendarTitle')), h('p', { class: 'hint' }, t('calendarIntro')), body, form);

  async function load() {
    /** @type {{ warnings: CalendarWarning[], items: CalendarYear[] }} */
    const data = await api('/api/v1/operator/holidays');
    mount(
      body,
      data.warnings.map((w) => h('p', { class: 'error-summary', role: 'alert', dataset: { warning: w.code } }, t('calendarWarning', { year: w.year }))),
      table(
        [t('calendarYear'), t('calendarStatus'), t('calendarSource'), { text: t('calendarHolidays'), class: 'num' }, { text: t('calendarWorkingWeekends'), class: 'num' }],
        data.items.map((y) => [
          String(y.year),
          h('span', { class: `badge ${y.status === 'published' ? 'ok' : 'warn'}`, dataset: { year: String(y.year), status: y.status } }, t(STATUS[y.status])),
          SOURCE[y.source] ? t(SOURCE[y.source]) : y.source,
          { cell: formatNumber(y.holidays), class: 'num' },
          { cell: formatNumber(y.workingWeekends), class: 'num' },
        ]),
      ),
    );
  }

  function clear() {
    mount(summary);
    for (const id of Object.values(controls)) {
      mount(byId(`${id}-error`));
      byId(id).removeAttribute('aria-invalid');
    }
  }

  /** @param {Problem[]} problems */
  function show(problems) {
    for (const p of problems) {
      const id = controls[String(p.field).split(/[.[]/)[0]];
      if (!id) continue;
      byId(`${id}-error`).append(h('div', {}, p.code ? problemMessage(p) : p.message));
      byId(id).setAttribute('aria-invalid', 'true');
    }
    const first = problems.map((p) => controls[String(p.field).split(/[.[]/)[0]]).find(Boolean);
    if (first) byId(first).focus();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clear();
      mount(outcome);
      const off = parseDays(holidays.value);
      const on = parseDays(working.value);
      const local = [];
      if (off.line) local.push({ field: 'holidays', message: t('calendarLineInvalid', { n: off.line }) });
      if (on.line) local.push({ field: 'workingWeekends', message: t('calendarLineInvalid', { n: on.line }) });
      if (local.length) return show(local);
      try {
        const loaded = await api('/api/v1/operator/holidays', {
          method: 'POST',
          body: { reason: reason.value.trim(), year: Number(year.value), source: source.value.trim(), holidays: off.days, workingWeekends: on.days },
        });
        mount(outcome, t('calendarLoaded', { year: loaded.year }));
        await load();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const problems = error.problem?.errors ?? [];
        mount(summary, h('div', { class: 'error-summary', role: 'alert' }, errorText(error.problem), h('span', { class: 'mono' }, ` (${error.problem?.code ?? error.status})`)));
        show(problems);
      }
    })();
  });

  await load();
}
