import type { Federation } from '#signing';

/**
 * The federation this node runs on now. It changes only when an operator reloads a newer signed
 * federation (`FederationReloadService`), so every reader asks for `current` at the moment it
 * decides (access rules, peer URLs, agencies' sealing keys) instead of keeping its own copy.
 */
export class FederationHolder {
  private readonly listeners: ((next: Federation) => void)[] = [];

  constructor(private federation: Federation) {}

  get current(): Federation {
    return this.federation;
  }

  /**
   * Called when the federation in force changes, after `current` is the new one: whoever keeps
   * something derived from it (the transports to peer URLs) listens here, so the reload need not
   * know them.
   */
  onChange(listener: (next: Federation) => void): void {
    this.listeners.push(listener);
  }

  /** Only the reload service calls this, after the new federation's keys are in place. */
  replace(next: Federation): void {
    this.federation = next;
    for (const listener of this.listeners) listener(next);
  }
}
