// The window clerk's views: a form per service (from the schemas), the acceptance receipt
// (受理回执) with its QR code, case search, and the case timeline.
// @ts-check

import { api, apiIdempotent, apiText, ApiError, NoAnswerError, newIdempotencyKey } from './api.js';
import { h, maskId, mount, table } from './dom.js';
import { errorText, formatDateTime, formatDay, formatNumber, nodeName, serviceName, stageLabel, t, valueLabel } from './i18n.js';
import { buildSchemaForm, windowServiceOf } from './schema-form.js';

/** @typedef {import('./schema-form.js').SchemaNode} SchemaNode */
/** @typedef {import('./schema-form.js').PlacedProblem} PlacedProblem */
/** @typedef {import('./api.js').Problem} Problem */
/** @typedef {import('./console.js').Ctx} Ctx */
/** @typedef {{ caseId: string, service: string, status: string, stage: string, handlingNode: string, acceptedAt: string, updatedAt: string }} CaseSummary */
/** @typedef {{ dueBy: string, workingDaysLeft: number, overdue: boolean, paused: boolean, calendarProvisional?: boolean }} TimeLimit */
/** @typedef {{ stage: string, at: string, reportedAt?: string, side: string, reason?: { code: string, message: string } }} TimelineEntry */
/**
 * GET /api/v1/applications/{caseId}, as the timeline reads it.
 * @typedef {{ caseId: string, service: string, kind: string | null, status: string, stage: string, acceptingNode: string, handlingNode: string, agency: string, region: string, heldBy: string, acceptedAt: string, timeline: TimelineEntry[], timeLimit: TimeLimit | null }} CaseView
 */

const CASE_NUMBER = /^(SC|CQ)-\d{8}-[0-9A-HJKMNP-TV-Z]{10}$/;
const ID_NUMBER = /^\d{17}[\dXx]$/;
const RECEIPT_KEY = (/** @type {string} */ caseId) => `cytb.receipt.${caseId}`;

/** @type {Promise<SchemaNode[]> | null} */
let schemasLoaded = null;

/**
 * Window request schemas published by this node, by service.
 * @returns {Promise<SchemaNode[]>}
 */
async function windowSchemas() {
  schemasLoaded ??= (async () => {
    const list = await api('/api/v1/contracts');
    const schemas = await Promise.all(list.items.map((/** @type {{ href: string }} */ item) => api(item.href)));
    return schemas.filter((schema) => windowServiceOf(schema) !== null);
  })().catch((error) => {
    schemasLoaded = null;
    throw error;
  });
  return schemasLoaded;
}

/**
 * @param {PlacedProblem[]} placed
 * @param {Problem[]} unplaced
 */
function summaryOf(placed, unplaced) {
  const count = placed.length + unplaced.length;
  return h(
    'div',
    { class: 'error-summary', tabindex: '-1', role: 'alert', id: 'error-summary' },
    h('h2', {}, t('formHasErrors', { n: count })),
    h(
      'ul',
      {},
      placed.map((p) => h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => p.focus() }, `${p.label}：${p.message}`))),
      unplaced.map((p) => h('li', {}, p.field ? `${p.field}：${p.message}` : p.message)),
    ),
  );
}

/** @param {HTMLElement} main */
export async function renderApply(main) {
  const schemas = await windowSchemas();
  mount(main, h('h1', {}, t('navApply')));
  if (schemas.length === 0) {
    main.append(h('p', {}, t('noServices')));
    return;
  }
  const holder = h('div', {});
  // The picker offers only these schemas' services, so its value always finds one.
  const picker = h(
    'select',
    { id: 'service-picker', onchange: () => draw(/** @type {SchemaNode} */ (schemas.find((schema) => windowServiceOf(schema) === picker.value))) },
    schemas.map((schema) => h('option', { value: windowServiceOf(schema) }, serviceName(windowServiceOf(schema), schema.title))),
  );
  main.append(h('div', { class: 'card no-print' }, h('div', { class: 'field' }, h('label', { for: 'service-picker' }, t('chooseService')), picker)), holder);

  /** @param {SchemaNode} schema */
  function draw(schema) {
    const form = buildSchemaForm(schema);
    const summary = h('div', {});
    const submit = h('button', { type: 'submit', class: 'primary', id: 'submit-application' }, t('submit'));
    const el = h(
      'form',
      { novalidate: true, class: 'card', 'aria-labelledby': 'form-title' },
      h('h2', { id: 'form-title' }, serviceName(windowServiceOf(schema), schema.title)),
      summary,
      form.element,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: () => draw(schema) }, t('reset'))),
    );
    el.addEventListener('submit', (event) => {
      event.preventDefault();
      void send();
    });
    // One Idempotency-Key per submission of this form, kept until the gateway answers: a
    // submission that got no answer is sent again under it, so it is never accepted twice.
    // A definite answer (receipt or refusal) ends it; "clear" draws a new form and a new key.
    /** @type {string | null} */
    let key = null;
    async function send() {
      const body = /** @type {Record<string, any>} */ (form.collect());
      submit.disabled = true;
      submit.textContent = t('submitting');
      key ??= newIdempotencyKey();
      try {
        const receipt = await apiIdempotent('/api/v1/applications', { body, key });
        key = null;
        const applicant = body.applicant ?? body.claimant ?? body.deceased ?? {};
        // Kept for the receipt only: the name and the masked ID, never the whole number.
        sessionStorage.setItem(RECEIPT_KEY(receipt.caseId), JSON.stringify({ receipt, applicant: { name: applicant.name ?? null, id: applicant.idNumber ? maskId(applicant.idNumber) : null } }));
        location.hash = `#/receipt/${receipt.caseId}`;
      } catch (error) {
        if (error instanceof NoAnswerError) {
          const box = h('div', { class: 'error-summary', tabindex: '-1', role: 'alert', id: 'error-summary' }, h('p', {}, t('noAnswer')));
          mount(summary, box);
          box.focus();
          return;
        }
        if (!(error instanceof ApiError)) throw error;
        key = null;
        const problems = error.problem.errors?.length ? error.problem.errors : [{ code: error.problem.code, message: errorText(error.problem) }];
        const { placed, unplaced } = form.showProblems(problems);
        const box = summaryOf(placed, unplaced);
        mount(summary, box);
        box.focus();
      } finally {
        submit.disabled = false;
        submit.textContent = t('submit');
      }
    }
    mount(holder, el);
  }
  draw(schemas[0]);
}

/**
 * @param {HTMLElement} main
 * @param {string} caseId
 */
export async function renderReceipt(main, caseId) {
  const stored = JSON.parse(sessionStorage.getItem(RECEIPT_KEY(caseId)) ?? 'null');
  const view = stored ? null : await api(`/api/v1/applications/${encodeURIComponent(caseId)}`);
  const r = stored?.receipt ?? {
    caseId: view.caseId,
    service: view.service,
    kind: view.kind,
    acceptedAt: view.acceptedAt,
    acceptedBy: { node: view.acceptingNode },
    handledBy: { node: view.handlingNode, agency: view.agency, region: view.region },
  };
  const qr = h('img', { class: 'qr', alt: t('qrAlt', { id: r.caseId }), id: 'receipt-qr' });
  const facts = [
    [t('caseNo'), h('span', { class: 'case-no', id: 'receipt-case-no' }, r.caseId)],
    [t('service'), serviceName(r.service)],
    r.kind ? [t('kind'), valueLabel(r.kind)] : null,
    stored?.applicant?.name ? [t('applicant'), stored.applicant.name] : null,
    stored?.applicant?.id ? [t('idNumber'), h('span', { class: 'mono' }, stored.applicant.id)] : null,
    [t('acceptedAt'), formatDateTime(r.acceptedAt)],
    [t('acceptedBy'), [nodeName(r.acceptedBy.node), r.acceptedBy.windowName ? ` · ${r.acceptedBy.windowName}` : '', r.acceptedBy.agency ? `（${r.acceptedBy.agency}）` : '']],
    [t('handledBy'), [nodeName(r.handledBy.node), r.handledBy.agency ? ` · ${r.handledBy.agency}` : '', r.handledBy.region ? ` · ${r.handledBy.region}` : '']],
  ].filter((fact) => fact !== null);
  mount(
    main,
    h(
      'section',
      { class: 'receipt', 'aria-labelledby': 'receipt-title' },
      h('h1', { id: 'receipt-title' }, t('receiptTitle')),
      qr,
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      h('p', {}, t('receiptNote')),
      h('p', { class: 'stamp' }, t('stamp')),
    ),
    h(
      'div',
      { class: 'actions no-print' },
      h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, t('print')),
      h('a', { class: 'button', href: `#/case/${r.caseId}`, id: 'follow-case' }, t('viewTimeline')),
      h('a', { class: 'button', href: '#/apply' }, t('newApplication')),
    ),
  );
  const svg = await apiText(`/api/v1/applications/${encodeURIComponent(r.caseId)}/qr.svg`);
  qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** @param {HTMLElement} main */
export async function renderSearch(main) {
  const input = h('input', { id: 'search-input', name: 'q', autocomplete: 'off', 'aria-describedby': 'search-hint search-error', spellcheck: 'false' });
  const error = h('div', { class: 'field-error', id: 'search-error', role: 'alert' });
  const results = h('div', { id: 'search-results', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'search-input' }, t('searchLabel')), input, h('div', { class: 'hint', id: 'search-hint' }, t('searchHint')), error),
    h('button', { type: 'submit', class: 'primary' }, t('search')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void search();
  });
  async function search() {
    const q = input.value.trim().toUpperCase();
    mount(error);
    input.removeAttribute('aria-invalid');
    if (CASE_NUMBER.test(q)) {
      location.hash = `#/case/${q}`;
      return;
    }
    if (!ID_NUMBER.test(q)) {
      mount(error, t('searchBad'));
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    // The number leaves the screen at once: only its last four characters are shown from here on.
    input.value = '';
    try {
      /** @type {{ items: CaseSummary[] }} */
      const { items } = await api(`/api/v1/applications?idNumber=${encodeURIComponent(q)}`);
      mount(
        results,
        h('h2', {}, t('resultsFor', { id: maskId(q), n: formatNumber(items.length) })),
        items.length === 0
          ? h('p', {}, t('noResults'))
          : table(
              [t('caseNo'), t('service'), t('status'), t('stage'), t('handlingNode'), t('acceptedAt'), t('updatedAt')],
              items.map((c) => [
                h('a', { href: `#/case/${c.caseId}`, class: 'mono' }, c.caseId),
                serviceName(c.service),
                valueLabel(c.status),
                stageLabel(c.stage),
                nodeName(c.handlingNode),
                formatDateTime(c.acceptedAt),
                formatDateTime(c.updatedAt),
              ]),
            ),
      );
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      mount(error, e.problem.errors?.[0] ? `${maskId(q)}：${errorText(e.problem.errors[0])}` : errorText(e.problem));
    }
  }
  mount(main, h('h1', {}, t('searchTitle')), form, results);
  input.focus();
}

/** @param {TimeLimit | null} limit */
function timeLimitText(limit) {
  if (!limit) return t('noLimit');
  if (limit.paused) return h('span', { class: 'warn' }, t('paused', { n: formatNumber(limit.workingDaysLeft), date: formatDay(limit.dueBy) }));
  const text = limit.overdue
    ? t('overdueBy', { n: formatNumber(-limit.workingDaysLeft), date: formatDay(limit.dueBy) })
    : t('daysLeft', { n: formatNumber(limit.workingDaysLeft), date: formatDay(limit.dueBy) });
  return h('span', { class: limit.overdue ? 'bad' : limit.workingDaysLeft <= 5 ? 'warn' : '' }, text, limit.calendarProvisional ? ` ${t('provisional')}` : '');
}

/**
 * @param {HTMLElement} main
 * @param {string} caseId
 * @param {Ctx} ctx
 */
export async function renderCase(main, caseId, ctx) {
  const body = h('div', { id: 'case-body', 'aria-live': 'polite' });
  const refresh = h('button', { type: 'button', onclick: () => void load() }, t('refresh'));
  mount(main, h('h1', {}, t('timelineTitle'), ' ', h('span', { class: 'mono' }, caseId)), h('div', { class: 'actions no-print' }, refresh), body);
  /** @type {number | null} */
  let timer = null;
  async function load() {
    /** @type {CaseView} */
    const c = await api(`/api/v1/applications/${encodeURIComponent(caseId)}`);
    const statusClass = c.status === 'completed' ? 'ok' : c.status === 'in-progress' ? 'warn' : 'bad';
    mount(
      body,
      h(
        'div',
        { class: 'card' },
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, t('caseNo')), h('dd', { class: 'mono' }, c.caseId),
          h('dt', {}, t('service')), h('dd', {}, serviceName(c.service), c.kind ? ` · ${valueLabel(c.kind)}` : ''),
          h('dt', {}, t('status')), h('dd', {}, h('span', { class: `badge ${statusClass}`, id: 'case-status', dataset: { status: c.status } }, valueLabel(c.status)), ' ', stageLabel(c.stage)),
          h('dt', {}, t('heldByLabel')), h('dd', { id: 'case-held-by' }, t('heldBy', { node: nodeName(c.heldBy) })),
          h('dt', {}, t('timeLimit')), h('dd', { id: 'case-time-limit' }, timeLimitText(c.timeLimit)),
          h('dt', {}, t('agency')), h('dd', {}, c.agency, ' · ', t('region'), ' ', c.region),
          h('dt', {}, t('acceptedAt')), h('dd', {}, formatDateTime(c.acceptedAt), ' · ', nodeName(c.acceptingNode)),
        ),
      ),
      h('div', { class: 'card' }, h(
        'ol',
        { class: 'timeline', id: 'timeline' },
        c.timeline.map((e, i) =>
          h(
            'li',
            { class: i === c.timeline.length - 1 ? 'last' : '', dataset: { stage: e.stage } },
            h('strong', {}, stageLabel(e.stage)),
            h('span', { class: 'when' }, formatDateTime(e.at), ' · ', nodeName(e.side)),
            // The time shown never goes back; where its side stamped a visibly earlier one, it is said too.
            e.reportedAt && formatDateTime(e.reportedAt) !== formatDateTime(e.at) ? h('span', { class: 'when reported' }, ' ', t('reportedAt', { time: formatDateTime(e.reportedAt) })) : null,
            e.reason ? h('div', { class: 'bad' }, `${e.reason.code}：${e.reason.message}`) : null,
          ),
        ),
      )),
      c.status === 'in-progress' ? h('p', { class: 'hint no-print' }, t('autoRefresh')) : null,
    );
    if (c.status !== 'in-progress' && timer) {
      ctx.clear(timer);
      timer = null;
    }
    return c;
  }
  const first = await load();
  if (first.status === 'in-progress') timer = ctx.every(() => load(), 3000);
}
