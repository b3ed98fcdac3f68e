// The operator's cases past their time limit, and those due within five working days.
// @ts-check

import { api } from './api.js';
import { h, mount, table } from './dom.js';
import { formatDateTime, formatDay, formatNumber, nodeName, serviceName, stageLabel, t, valueLabel } from './i18n.js';

/** @typedef {{ caseId: string, service: string, stage: string, role: string, handlingNode: string, heldSince: string, timeLimit: { dueBy: string, workingDaysLeft: number, overdue: boolean } }} DueCase */

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
