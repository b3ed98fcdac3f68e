import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { idCheckCharacter } from '#codes';
import { startFailure } from '#core';
import { loadLocalStackConfig, type LocalNode } from './local-stack.config.js';

/**
 * `npm run demo` (with `npm start` running): one card replacement accepted at a Chongqing window
 * for a Sichuan-insured person, one the other way, and both timelines as they advance.
 */
interface TimelineEntry {
  stage: string;
  at: string;
  side: string;
  reason?: { code: string; message: string };
  detail?: { waybill?: string; agencyRef?: string };
}
interface CaseView {
  caseId: string;
  status: string;
  timeline: TimelineEntry[];
}

const STAGE_NAMES: Record<string, string> = {
  submitted: '窗口受理',
  forwarded: '已转办',
  received: '办理地已接收',
  'agency-received': '经办机构已接收',
  'eligibility-check': '资格审核',
  'in-production': '制卡中',
  produced: '制卡完成',
  mailed: '已邮寄',
  collected: '已领取',
  rejected: '不予受理',
};

async function main(): Promise<void> {
  const config = loadLocalStackConfig();
  const [sc, cq] = config.nodes as [LocalNode, LocalNode];
  const runs = [
    { label: '重庆窗口 → 四川经办 (Chongqing window, Sichuan-insured)', at: cq, region: '510104', id17: '51010419850312123', address: '500111' },
    { label: '四川窗口 → 重庆经办 (Sichuan window, Chongqing-insured, pre-1997 ID)', at: sc, region: '500106', id17: '51021219680505123', address: '510104' },
  ];
  const cases = await Promise.all(
    runs.map(async (run) => {
      const token = windowToken(config.dataDir, run.at);
      const response = await fetch(`http://127.0.0.1:${run.at.httpPort}/api/v1/applications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          service: 'ssc.apply',
          kind: 'replace-damaged',
          applicant: { idNumber: `${run.id17}${idCheckCharacter(run.id17)}`, name: '演示申请人', phone: '13800138000' },
          issuingRegion: run.region,
          deliveryAddress: { region: run.address, line: '演示地址 1 号', postcode: '400000' },
          photoRef: 'PHOTO-DEMO-1',
          materials: [{ type: 'id-card-copy', sha256: 'ab'.repeat(32) }],
        }),
      });
      const body = (await response.json()) as { caseId?: string; code?: string; detail?: string };
      if (response.status !== 201 || !body.caseId) throw new Error(`submission refused: ${response.status} ${body.code} ${body.detail ?? ''}`);
      process.stdout.write(`\n${run.label}\n  受理编号 case ${body.caseId}\n`);
      return { ...run, token, caseId: body.caseId, shown: 0, done: false };
    }),
  );
  const deadline = Date.now() + 5 * 60_000;
  while (cases.some((c) => !c.done) && Date.now() < deadline) {
    for (const c of cases.filter((x) => !x.done)) {
      const response = await fetch(`http://127.0.0.1:${c.at.httpPort}/api/v1/applications/${c.caseId}`, {
        headers: { authorization: `Bearer ${c.token}` },
      });
      const view = (await response.json()) as CaseView;
      for (const entry of view.timeline.slice(c.shown)) {
        const extra = entry.reason ? ` ${entry.reason.code} ${entry.reason.message}` : entry.detail?.waybill ? ` 运单 ${entry.detail.waybill}` : '';
        process.stdout.write(`  ${c.caseId}  ${entry.at.slice(11, 19)}  ${entry.side}  ${STAGE_NAMES[entry.stage] ?? entry.stage}${extra}\n`);
      }
      c.shown = view.timeline.length;
      if (view.status !== 'in-progress') {
        c.done = true;
        process.stdout.write(`  ${c.caseId}  → ${view.status === 'completed' ? '办结 completed' : '不予受理 rejected'}\n`);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (cases.some((c) => !c.done)) throw new Error('the cases did not finish within 5 minutes: see data/logs');
}

function windowToken(dataDir: string, n: LocalNode): string {
  const file = join(dataDir, n.node.toLowerCase(), 'demo-credentials.json');
  if (!existsSync(file)) throw new Error(`no demo credentials at ${file}: is \`npm start\` running?`);
  const { credentials } = JSON.parse(readFileSync(file, 'utf8')) as { credentials: { role: string; token: string }[] };
  const window = credentials.find((c) => c.role === 'window');
  if (!window) throw new Error(`no window credential in ${file}`);
  return window.token;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${startFailure(error)}\n`);
  process.exit(1);
});
