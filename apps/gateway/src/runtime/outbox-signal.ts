import { Injectable } from '@nestjs/common';

/**
 * Says "the outbox has new messages". Whoever commits messages calls `notify()`; the relay
 * listens. It keeps writers (intake, inbound, agency status) from depending on the relay itself.
 */
@Injectable()
export class OutboxSignal {
  private readonly listeners: (() => void)[] = [];

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }
}
