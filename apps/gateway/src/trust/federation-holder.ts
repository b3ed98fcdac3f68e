import type { Federation } from '#signing';

/**
 * The federation this node runs on now. It changes only when an operator reloads a newer signed
 * federation (`FederationReloadService`), so every reader asks for `current` at the moment it
 * decides (access rules, peer URLs, agencies' sealing keys) instead of keeping its own copy.
 */
export class FederationHolder {
  constructor(private federation: Federation) {}

  get current(): Federation {
    return this.federation;
  }

  /** Only the reload service calls this, after the new federation's keys are in place. */
  replace(next: Federation): void {
    this.federation = next;
  }
}
