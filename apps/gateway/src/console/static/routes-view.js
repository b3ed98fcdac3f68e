// The operator's dashboard per route (each peer node, this node's own path, each agency
// destination seen): circuit, backlog and four charts over the last hour or day.
// @ts-check

import { api } from './api.js';
import { chart } from './charts.js';
import { h, mount } from './dom.js';
import { formatDateTime, formatNumber, nodeName, t } from './i18n.js';

/** @typedef {import('./console.js').Ctx} Ctx */
/** @typedef {{ destination: string, kind: string, circuit: { state: string }, backlog: number, points: import('./charts.js').Point[] }} RouteView */

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
