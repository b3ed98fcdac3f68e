/**
 * Why one delivery attempt failed. `permanent` failures (contract invalid, no route, signature
 * refused, a 4xx with a permanent code) go to the dead-letter list at once; the others are
 * retried with backoff. `reason` is a stable code an operator can filter on.
 */
export class DeliveryFailure extends Error {
  constructor(
    readonly permanent: boolean,
    readonly reason: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${detail}`, options);
    this.name = 'DeliveryFailure';
  }

  static transient(reason: string, detail: string, cause?: unknown): DeliveryFailure {
    return new DeliveryFailure(false, reason, detail, { cause });
  }

  static permanent(reason: string, detail: string, cause?: unknown): DeliveryFailure {
    return new DeliveryFailure(true, reason, detail, { cause });
  }
}
