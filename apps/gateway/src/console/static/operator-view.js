// The operator's views: a dashboard per route, dead letters with replay (one or many, in
// chunks with progress), the audit trail, overdue cases, health, signing-key expiry, and the
// federation in force with its audited change.
// @ts-check

import { api, ApiError } from './api.js';
import { chart } from './charts.js';
import { h, mount, table } from './dom.js';
import { errorText, formatDateTime, formatDay, formatNumber, nodeName, problemMessage, serviceName, stageLabel, t, valueLabel } from './i18n.js';

/** @typedef {import('./console.js').Ctx} Ctx */
/** @typedef {import('./api.js').Problem} Problem */
/** @typedef {import('./i18n.js').UiKey} UiKey */
/** @typedef {{ destination: string, kind: string, circuit: { state: string }, backlog: number, points: import('./charts.js').Point[] }} RouteView */
/** @typedef {{ messageId: string, messageType: string, caseId: string | null, destination: string, state: string, deadReason: string | null, attempts: number, lastError: string | null, createdAt: number }} MessageView */
/** @typedef {{ action: string, subject: string, operatorId: string, reason: string, detailJson: string | null, at: number }} AuditRecord */
/** @typedef {{ caseId: string, service: string, stage: string, role: string, handlingNode: string, heldSince: string, timeLimit: { dueBy: string, workingDaysLeft: number, overdue: boolean } }} DueCase */
/** @typedef {{ kid: string, state: string, createdAt: string, ageDays: number, rotateBy: string, warning: boolean }} KeyStatus */
/** @typedef {{ serial: number, issuedAt: string, rules: number, nodes: Array<{ node: string, keys: string[], agencies: string[] }> }} FederationSummary */

const REPLAY_CHUNK = 20;
let range = 'hour';

/** @param {RouteView} route */
function routeTitle(route) {
  if (route.kind === 'peer') return t('routePeer', { name: `${nodeName(route.destination.slice(5))}（${route.destination}）` });
  if (route.kind === 'agency') return t('routeAgency', { name: route.destination.slice(7) });
  return t('routeSelf');
}

/** @param {string} state */
function circuitBadge(state) {
  const cls = state === 'closed' ? 'ok' : state === 'open' ? 'bad' : 'warn';
  return h('span', { class: `badge ${cls}`, dataset: { circuit: state } }, `${t('circuit')}：${t(`circuit${state[0].toUpperCase()}${state.slice(1)}`)}`);
}

/**
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 */
export async function renderRoutes(main, ctx) {
  const body = h('div', { id: 'routes-body' });
  const buttons = ['hour', 'day'].map((r) =>
    h('button', { type: 'button', 'aria-pressed': String(r === range), onclick: () => { range = r; buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(['hour', 'day'][i] === r))); void load(); } }, t(r === 'hour' ? 'lastHour' : 'lastDay')),
  );
  const stamp = h('span', { class: 'hint' });
  mount(main, h('h1', {}, t('routesTitle')), h('div', { class: 'actions', role: 'group', 'aria-label': t('range') }, buttons, stamp), body);
  async function load() {
    /** @type {{ at: string, routes: RouteView[] }} */
    const data = await api(`/api/v1/operator/routes?range=${range}`);
    stamp.textContent = t('updated', { t: formatDateTime(data.at) });
    mount(
      body,
      h(
        'div',
        { class: 'routes' },
        data.routes.map((route) =>
          h(
            'section',
            { class: 'card route', 'aria-label': routeTitle(route), dataset: { destination: route.destination } },
            h(
              'div',
              { class: 'route-head' },
              h('h2', {}, routeTitle(route)),
              circuitBadge(route.circuit.state),
              h('span', { class: route.backlog > 0 ? 'warn' : 'muted' }, `${t('backlog')}：${formatNumber(route.backlog)}`),
            ),
            h(
              'div',
              { class: 'charts' },
              chart(route.points, 'perMinute', { title: t('perMinute'), digits: 2 }),
              chart(route.points, 'failed', { title: t('failures'), kind: 'fail' }),
              chart(route.points, 'latencyAvgMs', { title: t('latency'), digits: 1 }),
              chart(route.points, 'backlog', { title: t('backlogChart'), kind: 'backlog' }),
            ),
          ),
        ),
      ),
    );
  }
  await load();
  ctx.every(load, 10_000);
}

/** The end of a message id: ids are UUIDv7, whose first characters are the same for one moment. */
const shortId = (/** @type {string} */ id) => id.slice(-8);

const STATES = ['dead', 'retrying', 'pending', 'in-flight', 'delivered'];
/** Messages per page of the dead-letter list (the API takes 1 to 500). */
const PAGE_SIZE = 100;
const stateLabel = (/** @type {string} */ s) => t(`state${s[0].toUpperCase()}${s.slice(1)}`);
const stateBadge = (/** @type {string} */ s) => h('span', { class: `badge ${s === 'delivered' ? 'ok' : s === 'dead' ? 'bad' : 'warn'}`, dataset: { state: s } }, stateLabel(s));

/**
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 */
export async function renderDead(main, ctx) {
  let state = 'dead';
  const filter = h('select', { id: 'state-filter', onchange: () => { state = filter.value; void load(); } }, STATES.map((s) => h('option', { value: s }, stateLabel(s))));
  const reason = h('input', { id: 'replay-reason', autocomplete: 'off', maxlength: '400', 'aria-describedby': 'replay-reason-hint replay-reason-error' });
  const reasonError = h('div', { class: 'field-error', id: 'replay-reason-error', role: 'alert' });
  const bulk = h('button', { type: 'button', class: 'primary', id: 'replay-selected', disabled: true, onclick: () => void replay(selected()) }, t('replaySelected', { n: 0 }));
  const progress = h('progress', { id: 'replay-progress', max: '1', value: '0', 'aria-labelledby': 'replay-progress-label' });
  const progressText = h('span', { id: 'replay-progress-text', 'aria-live': 'polite' });
  const progressBox = h('div', { class: 'actions', hidden: true }, h('span', { id: 'replay-progress-label' }, t('replayProgress')), progress, progressText);
  const list = h('div', { id: 'dead-list' });
  const follow = h('div', { id: 'replay-follow' });
  const followed = new Map(); // messageId → last known state
  /** @type {MessageView[]} */
  let rows = [];
  // Pages of the list: how many match in all, and where the next page starts (null: no more).
  let total = 0;
  /** @type {string | null} */
  let nextCursor = null;
  const shown = h('p', { id: 'dead-shown', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'dead-more', hidden: true, onclick: () => void loadMore() }, t('loadMore'));
  // Every dead letter at once, on the server, as one audited job (not page by page from here).
  const replayAll = h('button', { type: 'button', id: 'replay-all', hidden: true, onclick: () => void replayEverything() }, t('replayAllMatching', { n: 0 }));

  mount(
    main,
    h('h1', {}, t('deadTitle')),
    h(
      'div',
      { class: 'card' },
      h('div', { class: 'grid' },
        h('div', { class: 'field' }, h('label', { for: 'state-filter' }, t('filterState')), filter),
        h('div', { class: 'field' }, h('label', { for: 'replay-reason' }, t('replayReason')), reason, h('div', { class: 'hint', id: 'replay-reason-hint' }, t('replayReasonHint')), reasonError)),
      h('div', { class: 'actions' }, bulk, replayAll),
      progressBox,
    ),
    shown,
    list,
    h('div', { class: 'actions' }, more),
    follow,
  );

  function selected() {
    return [.../** @type {NodeListOf<HTMLInputElement>} */ (list.querySelectorAll('input[data-message-id]:checked'))].map((box) => /** @type {string} */ (box.dataset.messageId));
  }
  function updateBulk() {
    const n = selected().length;
    bulk.textContent = t('replaySelected', { n: formatNumber(n) });
    bulk.disabled = n === 0;
  }

  async function load() {
    rows = [];
    nextCursor = null;
    await loadMore();
  }

  async function loadMore() {
    const page = await api(`/api/v1/operator/messages?state=${state}&limit=${PAGE_SIZE}${nextCursor ? `&cursor=${encodeURIComponent(nextCursor)}` : ''}`);
    rows = rows.concat(page.items);
    total = page.total;
    nextCursor = page.nextCursor;
    render();
  }

  function render() {
    shown.textContent = t('deadShown', { n: formatNumber(rows.length), total: formatNumber(total) });
    more.hidden = nextCursor === null;
    replayAll.hidden = state !== 'dead' || total === 0;
    replayAll.textContent = t('replayAllMatching', { n: formatNumber(total) });
    const all = h('input', { type: 'checkbox', id: 'select-all', onchange: () => { /** @type {NodeListOf<HTMLInputElement>} */ (list.querySelectorAll('input[data-message-id]')).forEach((b) => { b.checked = all.checked; }); updateBulk(); } });
    mount(
      list,
      rows.length === 0
        ? h('p', { class: 'card' }, state === 'dead' ? t('noDead') : t('noResults'))
        : table(
            [
              state === 'dead' ? h('span', {}, all, h('label', { for: 'select-all' }, ` ${t('selectAll')}`)) : t('select'),
              t('messageType'), t('caseNo'), t('destination'), t('state'), t('reason'), { text: t('attempts'), class: 'num' }, t('lastError'), t('createdAt'), '',
            ],
            rows.map((m) => [
              state === 'dead'
                ? h('span', {}, h('input', { type: 'checkbox', id: `sel-${m.messageId}`, 'aria-label': t('selectMessage', { id: m.messageId }), dataset: { messageId: m.messageId }, onchange: updateBulk }), h('label', { for: `sel-${m.messageId}`, class: 'mono', title: m.messageId }, ` …${shortId(m.messageId)}`))
                : h('span', { class: 'mono', title: m.messageId }, `…${shortId(m.messageId)}`),
              m.messageType,
              h('span', { class: 'mono' }, m.caseId ?? t('none')),
              m.destination,
              stateBadge(m.state),
              m.deadReason ?? t('none'),
              { cell: formatNumber(m.attempts), class: 'num' },
              h('span', { class: 'mono' }, m.lastError ?? t('none')),
              formatDateTime(new Date(m.createdAt).toISOString()),
              m.state === 'dead' ? h('button', { type: 'button', dataset: { replay: m.messageId }, 'aria-label': `${t('replayOne')} ${m.messageId}`, onclick: () => void replay([m.messageId]) }, t('replayOne')) : '',
            ]),
          ),
    );
    updateBulk();
  }

  /** @param {string[]} ids */
  async function replay(ids) {
    mount(reasonError);
    reason.removeAttribute('aria-invalid');
    if (reason.value.trim().length < 3) {
      mount(reasonError, t('reasonTooShort'));
      reason.setAttribute('aria-invalid', 'true');
      reason.focus();
      return;
    }
    bulk.disabled = true;
    progressBox.hidden = false;
    progress.max = ids.length;
    progress.value = 0;
    let ok = 0;
    let skipped = 0;
    // In chunks: each is one audited request; the bar moves as each chunk is answered.
    for (let i = 0; i < ids.length; i += REPLAY_CHUNK) {
      const chunk = ids.slice(i, i + REPLAY_CHUNK);
      try {
        /** @type {{ replayed: string[], skipped: string[] }} */
        const outcome = await api('/api/v1/operator/messages/replay', { method: 'POST', body: { messageIds: chunk, reason: reason.value.trim() } });
        ok += outcome.replayed.length;
        skipped += outcome.skipped.length;
        outcome.replayed.forEach((id) => followed.set(id, 'pending'));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        skipped += chunk.length;
        ctx.toast(t('errorGeneric', { msg: errorText(error.problem) }));
      }
      progress.value = Math.min(ids.length, i + chunk.length);
      progressText.textContent = `${formatNumber(progress.value)} / ${formatNumber(ids.length)}`;
    }
    progressText.textContent = t('replayDone', { ok: formatNumber(ok), skipped: formatNumber(skipped) });
    await load();
    await track();
  }

  /** Replays every dead letter of this node as one job (audited once) and follows its progress. */
  async function replayEverything() {
    mount(reasonError);
    reason.removeAttribute('aria-invalid');
    if (reason.value.trim().length < 3) {
      mount(reasonError, t('reasonTooShort'));
      reason.setAttribute('aria-invalid', 'true');
      reason.focus();
      return;
    }
    replayAll.disabled = true;
    progressBox.hidden = false;
    try {
      let job = await api('/api/v1/operator/messages/replay-by-filter', { method: 'POST', body: { all: true, reason: reason.value.trim() } });
      for (;;) {
        progress.max = Math.max(1, job.total);
        progress.value = job.replayed + job.skipped + job.failed;
        progressText.textContent = `${formatNumber(progress.value)} / ${formatNumber(job.total)}`;
        if (job.state !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        job = await api(`/api/v1/operator/replays/${job.jobId}`);
      }
      progressText.textContent = t('replayDone', { ok: formatNumber(job.replayed), skipped: formatNumber(job.skipped + job.failed) });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      ctx.toast(t('errorGeneric', { msg: errorText(error.problem) }));
    } finally {
      replayAll.disabled = false;
    }
    await load();
  }

  async function track() {
    if (followed.size === 0) return;
    for (const id of followed.keys()) {
      try {
        followed.set(id, (await api(`/api/v1/operator/messages/${id}`)).state);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
    }
    mount(
      follow,
      h('h2', {}, t('replayFollow')),
      table(['ID', t('messageState')], [...followed].map(([id, s]) => [h('span', { class: 'mono' }, id), stateBadge(s)])),
    );
  }

  await load();
  ctx.every(async () => {
    await track();
    if (followed.size > 0 || state !== 'dead') await load();
  }, 2000);
}

/** Audit actions people read in their language; others are shown as recorded. */
/** @type {Record<string, UiKey>} */
const AUDIT_ACTIONS = {
  replay: 'actionReplay',
  'federation-reloaded': 'action-federation-reloaded',
  'federation-reload-refused': 'action-federation-reload-refused',
  'federation-accepted': 'action-federation-accepted',
  'envelope-resigned': 'action-envelope-resigned',
  'holidays-loaded': 'action-holidays-loaded',
  'holidays-load-refused': 'action-holidays-load-refused',
  'holidays-reloaded': 'action-holidays-reloaded',
  'holidays-reload-refused': 'action-holidays-reload-refused',
  'credential-disable': 'action-credential-disable',
  'credential-reissue': 'action-credential-reissue',
};

/** @param {HTMLElement} main */
export async function renderAudit(main) {
  /** @type {{ items: AuditRecord[] }} */
  const { items } = await api('/api/v1/operator/audit');
  mount(
    main,
    h('h1', {}, t('auditTitle')),
    items.length === 0
      ? h('p', {}, t('noAudit'))
      : table(
          [t('at'), t('operator'), t('action'), t('subject'), t('reason'), t('detail')],
          items.map((a) => {
            const d = a.detailJson ? JSON.parse(a.detailJson) : {};
            return [
              formatDateTime(new Date(a.at).toISOString()),
              a.operatorId,
              h('span', { dataset: { action: a.action } }, AUDIT_ACTIONS[a.action] ? t(AUDIT_ACTIONS[a.action]) : a.action),
              h('span', { class: 'mono' }, a.subject),
              a.reason,
              h(
                'span',
                { class: 'mono' },
                [
                  d.destination, d.deadReason, d.attempts !== undefined ? `${t('attempts')} ${d.attempts}` : null, d.lastError,
                  d.previousSerial !== undefined ? (d.changed === false ? `${t('federationSerial')} ${d.serial}（${t('unchanged')}）` : `${t('federationSerial')} ${d.previousSerial} → ${d.serial}`) : null, d.code, d.detail,
                  d.expiresAt ? `${t('credentialExpires')} ${formatDateTime(d.expiresAt)}` : null,
                ].filter((x) => x !== null && x !== undefined).join(' · '),
              ),
            ];
          }),
        ),
  );
}

/** @param {DueCase[]} items */
function casesTable(items) {
  return table(
    [t('caseNo'), t('service'), t('stage'), t('role'), t('handlingNode'), t('heldSince'), t('dueBy'), { text: t('left'), class: 'num' }],
    items.map((c) => [
      h('span', { class: 'mono' }, c.caseId),
      serviceName(c.service),
      stageLabel(c.stage),
      valueLabel(c.role),
      nodeName(c.handlingNode),
      formatDateTime(c.heldSince),
      formatDay(c.timeLimit.dueBy),
      { cell: h('span', { class: c.timeLimit.overdue ? 'bad' : 'warn' }, formatNumber(c.timeLimit.workingDaysLeft)), class: 'num' },
    ]),
  );
}

/** @param {HTMLElement} main */
export async function renderOverdue(main) {
  const [overdue, soon] = await Promise.all([api('/api/v1/operator/cases?overdue=true'), api('/api/v1/operator/cases?overdue=false&dueWithinDays=5')]);
  mount(
    main,
    h('h1', {}, t('overdueTitle')),
    overdue.items.length ? casesTable(overdue.items) : h('p', { class: 'card' }, t('noOverdue')),
    h('h2', {}, t('dueSoonTitle')),
    soon.items.length ? casesTable(soon.items) : h('p', { class: 'card' }, t('noDueSoon')),
  );
}

/** @param {string} key */
function indicatorName(key) {
  if (key === 'database') return t('hcDatabase');
  if (key === 'agencyAdapter') return t('hcAgencyAdapter');
  if (key === 'outbox') return t('hcOutbox');
  if (key.startsWith('peer')) return t('hcPeer', { name: nodeName(key.slice(4)) });
  return key;
}

/** @type {Record<string, UiKey>} */
const HEALTH_TEXTS = {
  'peer not reachable; envelopes wait in the outbox': 'healthPeerDown',
  'adapter not reachable; hand-overs wait in the outbox': 'healthAdapterDown',
};

/** @param {string} key */
function healthKey(key) {
  /** @type {Record<string, UiKey>} */
  const known = { backlog: 'backlog', bound: 'healthBound', at: 'at', message: 'detail', port: 'healthPort', responseTime: 'healthResponseTime' };
  return known[key] ? t(known[key]) : key;
}

/** Health details as people read them: instants in Asia/Shanghai, the node's messages translated. */
/** @param {string | number | boolean | null | object} value a JSON value */
function healthValue(value) {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value)) return formatDateTime(value);
  if (typeof value === 'string' && HEALTH_TEXTS[value]) return t(HEALTH_TEXTS[value]);
  if (typeof value === 'number') return formatNumber(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** @param {string} status */
function healthBadge(status) {
  const cls = status === 'up' || status === 'ok' ? 'ok' : status === 'degraded' ? 'warn' : 'bad';
  const text = status === 'up' || status === 'ok' ? t('healthUp') : status === 'degraded' ? t('healthDegraded') : t('healthDown');
  return h('span', { class: `badge ${cls}`, dataset: { health: status } }, text);
}

/**
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 */
export async function renderHealth(main, ctx) {
  const body = h('div', {});
  mount(main, h('h1', {}, t('healthTitle')), body);
  async function load() {
    const health = await api('/health', { okStatuses: [503] });
    const details = health?.details ?? {};
    mount(
      body,
      h('p', {}, `${t('overall')}：`, healthBadge(health?.status ?? 'error')),
      table(
        [t('indicator'), t('status'), t('detail')],
        Object.entries(details).map(([key, d]) => {
          const { status, ...rest } = d;
          return [indicatorName(key), healthBadge(status), h('span', {}, Object.entries(rest).map(([k, v]) => `${healthKey(k)}：${healthValue(v)}`).join(' · '))];
        }),
      ),
    );
  }
  await load();
  ctx.every(load, 10_000);
}

/** @param {HTMLElement} main */
export async function renderKeys(main) {
  /** @type {{ items: KeyStatus[] }} */
  const { items } = await api('/api/v1/operator/keys');
  const warnings = items.filter((k) => k.warning);
  mount(
    main,
    h('h1', {}, t('keysTitle')),
    warnings.length ? h('p', { class: 'error-summary', role: 'alert' }, t('keysWarning', { n: formatNumber(warnings.length) })) : null,
    table(
      [t('kid'), t('keyState'), t('createdAt'), { text: t('age'), class: 'num' }, t('rotateBy'), t('status')],
      items.map((k) => [
        h('span', { class: 'mono' }, k.kid),
        t(`keyState${k.state[0].toUpperCase()}${k.state.slice(1)}`),
        formatDateTime(k.createdAt),
        { cell: formatNumber(k.ageDays), class: 'num' },
        formatDateTime(k.rotateBy),
        k.warning ? h('span', { class: 'badge bad' }, t('keyWarn')) : h('span', { class: 'badge ok' }, t('keyOk')),
      ]),
    ),
  );
}

/** Keys warn on every operator page, not only on the keys page. */
export async function keyWarningCount() {
  /** @type {{ items: KeyStatus[] }} */
  const { items } = await api('/api/v1/operator/keys');
  return items.filter((k) => k.warning).length;
}

/** The largest signed federation the node accepts (FederationReloadRequestDto: 512 KiB). */
const FEDERATION_MAX_BYTES = 512 * 1024;

/** @param {FederationSummary} f */
function federationFacts(f) {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'federation-in-force-title', id: 'federation-in-force' },
    h('h2', { id: 'federation-in-force-title' }, t('federationInForce')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('federationSerial')), h('dd', { id: 'federation-serial', dataset: { serial: String(f.serial) } }, formatNumber(f.serial)),
      h('dt', {}, t('federationIssuedAt')), h('dd', { id: 'federation-issued-at' }, formatDateTime(f.issuedAt)),
      h('dt', {}, t('federationRules')), h('dd', { id: 'federation-rules' }, t('federationRulesCount', { n: formatNumber(f.rules) })),
    ),
    table(
      [t('federationNode'), t('federationKeys'), t('federationAgencies')],
      f.nodes.map((n) => [
        h('span', { dataset: { node: n.node } }, `${nodeName(n.node)}（${n.node}）`),
        h('span', { class: 'mono' }, n.keys.length ? n.keys.map((kid, i) => [i ? h('br') : null, kid]) : t('none')),
        h('span', { class: 'mono' }, n.agencies.length ? n.agencies.join('、') : t('none')),
      ]),
      t('federationNodes'),
    ),
  );
}

/**
 * The federation in force (serial, issue time, nodes with their keys and agencies, rules) and the
 * audited change: a reason and, optionally, the authority-signed document (pasted or read from a
 * file); without it the node reads its FEDERATION_FILE again.
 */
/** @param {HTMLElement} main */
export async function renderFederation(main) {
  /** @type {FederationSummary} */
  let current = await api('/api/v1/operator/federation');
  const inForce = h('div', {}, federationFacts(current));

  const reason = h('input', { id: 'federation-reason', autocomplete: 'off', maxlength: '400', 'aria-required': 'true', 'aria-describedby': 'federation-reason-hint federation-reason-error' });
  const reasonError = h('div', { class: 'field-error', id: 'federation-reason-error', role: 'alert' });
  const documentBox = h('textarea', { id: 'federation-document', rows: '6', spellcheck: 'false', autocomplete: 'off', class: 'mono wide', 'aria-describedby': 'federation-document-hint federation-document-error' });
  const documentError = h('div', { class: 'field-error', id: 'federation-document-error', role: 'alert' });
  const file = h('input', { id: 'federation-file', type: 'file', accept: '.jws,.txt,application/jose', 'aria-describedby': 'federation-file-hint federation-document-error' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'federation-submit' }, t('federationSubmit'));
  const summary = h('div', {});
  const outcome = h('p', { id: 'federation-outcome', role: 'status', 'aria-live': 'polite' });

  // The fields a refusal can name: the API's field paths, with the control and its error box.
  /** @type {Record<string, { input: HTMLElement, error: HTMLElement, label: string }>} */
  const fields = {
    reason: { input: reason, error: reasonError, label: t('federationReason') },
    signedFederation: { input: documentBox, error: documentError, label: t('federationDocument') },
  };

  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': 'federation-change-title', id: 'federation-form' },
    h('h2', { id: 'federation-change-title' }, t('federationChangeTitle')),
    h('p', { class: 'hint' }, t('federationChangeIntro')),
    summary,
    h('div', { class: 'field' }, h('label', { for: 'federation-reason' }, t('federationReason'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), reason, h('div', { class: 'hint', id: 'federation-reason-hint' }, t('federationReasonHint')), reasonError),
    h('div', { class: 'field' }, h('label', { for: 'federation-document' }, t('federationDocument')), documentBox, h('div', { class: 'hint', id: 'federation-document-hint' }, t('federationDocumentHint')), documentError),
    h('div', { class: 'field' }, h('label', { for: 'federation-file' }, t('federationFile')), file, h('div', { class: 'hint', id: 'federation-file-hint' }, t('federationFileHint'))),
    h('div', { class: 'actions' }, submit),
    outcome,
  );

  mount(main, h('h1', {}, t('federationTitle')), inForce, form);

  file.addEventListener('change', () => {
    void (async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      clearProblems();
      if (chosen.size > FEDERATION_MAX_BYTES) {
        showProblems([{ field: 'signedFederation', message: t('federationFileTooLarge') }]);
        file.value = '';
        return;
      }
      // Read here, sent as text: the API takes the signed document in the JSON body.
      documentBox.value = (await chosen.text()).trim();
    })();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });

  function clearProblems() {
    mount(summary);
    for (const f of Object.values(fields)) {
      mount(f.error);
      f.input.removeAttribute('aria-invalid');
    }
  }

  /** Each problem next to its field; a summary above lists them all with the stable code. */
  /**
   * @param {Problem[]} problems
   * @param {string} [code]
   */
  function showProblems(problems, code) {
    const items = problems.map((problem) => {
      const field = fields[problem.field ?? ''];
      const message = problem.code && problem.field ? problemMessage(problem) : problem.message;
      if (field) {
        field.error.append(h('div', {}, message));
        field.input.setAttribute('aria-invalid', 'true');
      }
      return { field, message };
    });
    if (!code) {
      items[0]?.field?.input.focus();
      return;
    }
    const box = h(
      'div',
      { class: 'error-summary', tabindex: '-1', role: 'alert', id: 'federation-error', dataset: { code } },
      h('h2', {}, t('federationRefused', { serial: formatNumber(current.serial) })),
      h(
        'ul',
        {},
        items.map(({ field, message }) =>
          h('li', {}, field ? h('button', { type: 'button', class: 'link', onclick: () => field.input.focus() }, `${field.label}：${message}`) : message),
        ),
      ),
      h('p', {}, `${t('errorCode')}：`, h('code', { class: 'mono', id: 'federation-error-code' }, code)),
    );
    mount(summary, box);
    box.focus();
  }

  async function send() {
    clearProblems();
    mount(outcome);
    if (reason.value.trim().length < 3) {
      showProblems([{ field: 'reason', message: t('federationReasonTooShort') }]);
      return;
    }
    const signed = documentBox.value.trim();
    submit.disabled = true;
    submit.textContent = t('submitting');
    try {
      const result = await api('/api/v1/operator/federation/reload', {
        method: 'POST',
        body: { reason: reason.value.trim(), ...(signed ? { signedFederation: signed } : {}) },
      });
      mount(
        outcome,
        h(
          'span',
          { class: result.changed ? 'ok' : 'muted', dataset: { changed: String(result.changed) } },
          result.changed
            ? t('federationChanged', { from: formatNumber(result.previousSerial), to: formatNumber(result.serial) })
            : t('federationUnchanged', { serial: formatNumber(result.serial) }),
        ),
      );
      documentBox.value = '';
      file.value = '';
      current = await api('/api/v1/operator/federation');
      mount(inForce, federationFacts(current));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) throw error;
      const problem = error.problem;
      // Field errors as the API names them; a refusal of the document itself goes next to it.
      const documentCodes = ['FEDERATION_SIGNATURE_INVALID', 'FEDERATION_ROLLBACK'];
      const problems = problem.errors?.length
        ? problem.errors
        : [{ field: signed && documentCodes.includes(problem.code ?? '') ? 'signedFederation' : undefined, message: errorText(problem) }];
      showProblems(problems, problem.code ?? `HTTP ${error.status}`);
    } finally {
      submit.disabled = false;
      submit.textContent = t('federationSubmit');
    }
  }
}
