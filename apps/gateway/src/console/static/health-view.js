// The operator's health page: the node's /health indicators (database, adapters, outbox, peers),
// in the reader's language.
// @ts-check

import { api } from './api.js';
import { h, mount, table } from './dom.js';
import { formatDateTime, formatNumber, nodeName, t } from './i18n.js';

/** @typedef {import('./console.js').Ctx} Ctx */
/** @typedef {import('./i18n.js').UiKey} UiKey */

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
