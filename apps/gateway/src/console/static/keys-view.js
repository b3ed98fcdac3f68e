// The operator's signing keys: state, age and replacement date, and the warning count every
// operator page shows when a key nears its date.
// @ts-check

import { api } from './api.js';
import { h, mount, table } from './dom.js';
import { formatDateTime, formatNumber, t } from './i18n.js';

/** @typedef {{ kid: string, state: string, createdAt: string, ageDays: number, rotateBy: string, warning: boolean }} KeyStatus */

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
