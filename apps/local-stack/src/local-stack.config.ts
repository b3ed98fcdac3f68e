import { resolve } from 'node:path';
import { int, oneOf, path, readEnv, type Env, type NodeCode } from '#core';
import { SUITE_NAMES, type SuiteName } from '#signing';

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
  /** The suite of the federation the stack issues on each start (FEDERATION_SUITE). */
  readonly federationSuite: SuiteName;
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
 * Every environment variable the local stack reads itself, declared once. The whole environment
 * is also handed down to the processes it starts, so their variables (below) apply too, except
 * those the stack sets per process (ports, `NODE_CODE`, paths, the link secret).
 */
export const LOCAL_STACK_ENV = {
  BASE_PORT: int({ default: 7100, min: 1024, max: 65000, doc: 'Where the ports start: Sichuan uses base+1 (HTTP), +2, +11, +21; Chongqing base+101, +102, +111, +121.' }),
  SIM_STEP_MS: int({ default: 3000, min: 10, unit: 'ms', doc: 'How long each simulated agency stage lasts (handed to both simulators).' }),
  NODE_HEAP_MB: int({
    default: 192,
    min: 64,
    unit: 'MB',
    doc: 'Old-generation heap limit of each process it starts (`--max-old-space-size`): V8 collects sooner, and the bench measured every process under 300 MB resident.',
  }),
  FEDERATION_SUITE: oneOf(SUITE_NAMES, {
    default: 'intl',
    doc: 'The cryptographic suite of the federation the stack signs on each start: `intl` (Ed25519, SHA-256) or `gm` (SM2, SM3; the document signed by an SM2 authority key). Sealing and the agency-link HMAC follow `CRYPTO_SUITE`, handed down to every process.',
  }),
  DATA_DIR: path({ default: 'data', doc: 'Folder of keys, databases, the federation file, demo credentials and logs (`<DATA_DIR>/logs`).' }),
  DIST_DIR: path({ default: 'dist', doc: 'Folder of the built apps the stack starts (`npm run build`).' }),
};

/**
 * Reads the local stack's settings, as LOCAL_STACK_ENV declares them. Ports follow BASE_PORT
 * (default 7100): Sichuan uses base+1.., Chongqing base+101..
 *
 * @example loadLocalStackConfig({ BASE_PORT: '7500' }).nodes[0].httpPort // 7501
 */
export function loadLocalStackConfig(env: Env = process.env): LocalStackConfig {
  const v = readEnv(LOCAL_STACK_ENV, env);
  const base = v.BASE_PORT;
  const node = (code: NodeCode, offset: number, adapterApp: LocalNode['adapterApp']): LocalNode => ({
    node: code,
    httpPort: base + offset + 1,
    statusPort: base + offset + 2,
    adapterPort: base + offset + 11,
    simulatorPort: base + offset + 21,
    adapterApp,
  });
  return {
    dataDir: resolve(v.DATA_DIR),
    distDir: resolve(v.DIST_DIR),
    simulatorStepMs: v.SIM_STEP_MS,
    heapLimitMb: v.NODE_HEAP_MB,
    federationSuite: v.FEDERATION_SUITE,
    nodes: [node('SC', 0, 'adapter-sichuan'), node('CQ', 100, 'adapter-chongqing')],
    childEnv: env,
  };
}
