// The operator's messages page: dead letters (or messages in any other state), paged, with
// replay of one or many (in chunks with progress, then each message followed until delivered)
// and the replay of every dead letter as one audited job on the server.
// @ts-check

import { api, ApiError } from './api.js';
import { h, mount, table } from './dom.js';
import { errorText, formatDateTime, formatNumber, t } from './i18n.js';

/** @typedef {import('./console.js').Ctx} Ctx */
/** @typedef {{ messageId: string, messageType: string, caseId: string | null, destination: string, state: string, deadReason: string | null, attempts: number, lastError: string | null, createdAt: number }} MessageView */

const REPLAY_CHUNK = 20;

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

  /** Whether the operator gave a reason (3 characters at least); if not, says so at the field. */
  function reasonGiven() {
    mount(reasonError);
    reason.removeAttribute('aria-invalid');
    if (reason.value.trim().length >= 3) return true;
    mount(reasonError, t('reasonTooShort'));
    reason.setAttribute('aria-invalid', 'true');
    reason.focus();
    return false;
  }

  /** @param {string[]} ids */
  async function replay(ids) {
    if (!reasonGiven()) return;
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
    if (!reasonGiven()) return;
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
