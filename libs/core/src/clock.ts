/**
 * The only source of "now". Services inject it so tests can freeze and move time instead of
 * sleeping.
 */
export abstract class Clock {
  abstract now(): Date;

  nowMs(): number {
    return this.now().getTime();
  }
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * A clock that moves only when told to.
 *
 * @example
 *   const clock = new ManualClock(new Date('2026-10-01T00:00:00+08:00'));
 *   clock.advance(60_000);
 */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date | number = Date.UTC(2026, 0, 5, 1, 0, 0)) {
    super();
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | number): void {
    this.current = typeof to === 'number' ? to : to.getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
