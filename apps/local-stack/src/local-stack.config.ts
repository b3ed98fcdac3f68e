import { resolve } from 'node:path';
import { GatewayError, type NodeCode } from '#core';

/** Ports and folders of the embedded default: everything on one machine. */
export interface LocalStackConfig {
  readonly dataDir: string;
  readonly distDir: string;
  readonly simulatorStepMs: number;
  /**
   * Old-generation heap limit of each process, in MB (node --max-old-space-size; NODE_HEAP_MB,
   * default 192). Under load V8 otherwise lets a gateway's heap grow past 300 MB of resident
   * memory with garbage it has not yet collected; at 192 MB it collects sooner, and the bench
   * measured every process under 300 MB resident.
   */
  readonly heapLimitMb: number;
  readonly nodes: readonly LocalNode[];
  /** The environment handed down to every process of the stack. */
  readonly childEnv: Readonly<Record<string, string | undefined>>;
}

export interface LocalNode {
  readonly node: NodeCode;
  readonly httpPort: number;
  readonly statusPort: number;
  readonly adapterPort: number;
  readonly simulatorPort: number;
  readonly adapterApp: 'adapter-sichuan' | 'adapter-chongqing';
}

/**
 * Reads the local stack's settings. Ports follow BASE_PORT (default 7100): Sichuan uses
 * base+1.., Chongqing base+101..
 */
export function loadLocalStackConfig(env: Readonly<Record<string, string | undefined>> = process.env): LocalStackConfig {
  const base = Number(env['BASE_PORT'] ?? 7100);
  const step = Number(env['SIM_STEP_MS'] ?? 3000);
  const heap = Number(env['NODE_HEAP_MB'] ?? 192);
  const problems: string[] = [];
  if (!Number.isInteger(heap) || heap < 64) problems.push('NODE_HEAP_MB must be an integer ≥ 64');
  if (!Number.isInteger(base) || base < 1024 || base > 65000) problems.push('BASE_PORT must be an integer between 1024 and 65000');
  if (!Number.isInteger(step) || step < 10) problems.push('SIM_STEP_MS must be an integer ≥ 10');
  if (problems.length > 0) throw new GatewayError('CONFIG_INVALID', { detail: problems.join('; ') });
  const node = (code: NodeCode, offset: number, adapterApp: LocalNode['adapterApp']): LocalNode => ({
    node: code,
    httpPort: base + offset + 1,
    statusPort: base + offset + 2,
    adapterPort: base + offset + 11,
    simulatorPort: base + offset + 21,
    adapterApp,
  });
  return {
    dataDir: resolve(env['DATA_DIR'] ?? 'data'),
    distDir: resolve(env['DIST_DIR'] ?? 'dist'),
    simulatorStepMs: step,
    heapLimitMb: heap,
    nodes: [node('SC', 0, 'adapter-sichuan'), node('CQ', 100, 'adapter-chongqing')],
    childEnv: env,
  };
}
