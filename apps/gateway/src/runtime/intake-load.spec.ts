import type { GatewayConfig } from '../config/gateway.config.js';
import { IntakeLoad, MAX_WAITING_BACKGROUND } from './intake-load.js';

describe('IntakeLoad', () => {
  it('is busy while the threshold of acceptances run at once, and not after they end (or fail)', async () => {
    const load = new IntakeLoad({ intakeBusyRequests: 2 } as GatewayConfig);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = load.during(() => held);
    expect(load.busy).toBe(false);
    const second = load.during(async () => {
      await held;
      throw new Error('refused');
    });
    expect(load.busy).toBe(true);
    release();
    await first;
    await expect(second).rejects.toThrow('refused');
    expect(load.busy).toBe(false);
  });

  it('takes background work one at a time while busy, and all at once otherwise', async () => {
    const load = new IntakeLoad({ intakeBusyRequests: 1 } as GatewayConfig);
    let running = 0;
    let most = 0;
    const work = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
    };
    let release!: () => void;
    const acceptance = load.during(() => new Promise<void>((resolve) => (release = resolve)));
    await Promise.all([load.background(work), load.background(work), load.background(work)]);
    expect(most).toBe(1);
    release();
    await acceptance;
    most = 0;
    await Promise.all([load.background(work), load.background(work), load.background(work)]);
    expect(most).toBe(3);
  });

  it('refuses background work as OVERLOADED when too many wait for the lane while busy', async () => {
    const load = new IntakeLoad({ intakeBusyRequests: 1 } as GatewayConfig);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const acceptance = load.during(() => held);
    const waiting = Array.from({ length: MAX_WAITING_BACKGROUND + 1 }, () => load.background(() => held));
    await expect(load.background(async () => 'late')).rejects.toMatchObject({ code: 'OVERLOADED' });
    release();
    await Promise.all([acceptance, ...waiting]);
    // Not busy any more: taken at once.
    await expect(load.background(async () => 'now')).resolves.toBe('now');
  });
});
