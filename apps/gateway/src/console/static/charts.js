// Hand-written SVG charts for the operator dashboard: one series over time, as an area under a
// line, with its peak and the time span written out (no chart library, nothing fetched).
// @ts-check

import { h, s } from './dom.js';
import { formatNumber, formatTime, t } from './i18n.js';

/**
 * One minute or bucket of a route's series (RouteView.points of GET /api/v1/operator/routes).
 * @typedef {{ at: string, delivered: number, failed: number, dead: number, latencyAvgMs: number | null, latencyMaxMs: number | null, perMinute: number, backlog: number | null }} Point
 */

const W = 300;
const H = 90;

/**
 * chart(points, 'perMinute', { title, kind: 'fail' | 'backlog' | '', digits })
 * `points` are the dashboard points ({ at, …values }); a null value is a gap.
 * @param {readonly Point[]} points
 * @param {Exclude<keyof Point, 'at'>} key
 * @param {{ title: string, kind?: string, digits?: number }} options
 */
export function chart(points, key, { title, kind = '', digits = 0 }) {
  const values = points.map((p) => p[key]);
  const known = values.filter((v) => v !== null && v !== undefined);
  const max = Math.max(1, ...known);
  const step = points.length > 1 ? W / (points.length - 1) : W;
  const y = (/** @type {number} */ v) => H - 4 - (v / max) * (H - 10);
  /** @type {Array<Array<[number, number]>>} */
  const segments = [];
  /** @type {Array<[number, number]>} */
  let current = [];
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      if (current.length) segments.push(current);
      current = [];
    } else current.push([i * step, y(v)]);
  });
  if (current.length) segments.push(current);
  const line = segments.map((seg) => seg.map(([x, yy], i) => `${i ? 'L' : 'M'}${x.toFixed(1)} ${yy.toFixed(1)}`).join('')).join('');
  const area = segments
    .map((seg) => `M${seg[0][0].toFixed(1)} ${H}${seg.map(([x, yy]) => `L${x.toFixed(1)} ${yy.toFixed(1)}`).join('')}L${seg[seg.length - 1][0].toFixed(1)} ${H}Z`)
    .join('');
  const last = known.length ? known.at(-1) : null;
  const longSpan = points.length > 1 && Date.parse(points[points.length - 1].at) - Date.parse(points[0].at) > 3 * 3600_000;
  const summary = known.length
    ? `${title}: ${t('chartMax', { v: formatNumber(Math.max(...known), digits) })}`
    : `${title}: ${t('noData')}`;
  const svg = s(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': summary },
    s('line', { class: 'grid-line', x1: 0, x2: W, y1: y(max), y2: y(max) }),
    s('line', { class: 'grid-line', x1: 0, x2: W, y1: y(max / 2), y2: y(max / 2) }),
    area ? s('path', { class: 'area', d: area }) : null,
    line ? s('path', { class: 'line', d: line }) : null,
  );
  return h(
    'figure',
    { class: `chart ${kind}`.trim(), style: undefined },
    h('figcaption', {}, h('span', {}, title), h('span', {}, last === null ? t('noData') : `${formatNumber(last, digits)} · ${t('chartMax', { v: formatNumber(Math.max(...known), digits) })}`)),
    svg,
    points.length ? h('div', { class: 'axis', 'aria-hidden': 'true' }, h('span', {}, formatTime(points[0].at, longSpan)), h('span', {}, formatTime(points[points.length - 1].at, longSpan))) : null,
  );
}
