import { Injectable } from '@nestjs/common';
import { GatewayError } from '#core';

/**
 * Set when the node starts to stop (SIGTERM): intake then refuses new applications with 503 and
 * Retry-After, so a load balancer moves windows to another replica while work in flight finishes.
 */
@Injectable()
export class ShutdownState {
  private draining = false;

  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  assertAccepting(): void {
    if (this.draining) throw new GatewayError('OVERLOADED', { detail: 'this node is shutting down; retry on another node or later' });
  }
}
