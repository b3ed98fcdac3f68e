import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GatewayError } from '#core';
import type { CredentialRole } from '#persistence';
import { CredentialsService, type Principal } from '../auth/credentials.service.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { bearerOf } from '../auth/principal.guard.js';

const ALLOWED: ReadonlySet<CredentialRole> = new Set<CredentialRole>(['window', 'operator']);

/**
 * Authenticates the bearer credential and admits a window or an operator (PrincipalGuard admits
 * exactly one role). Sets `request.principal` like PrincipalGuard, so CurrentPrincipal works.
 */
@Injectable()
export class WindowOrOperatorGuard implements CanActivate {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined>; ip?: string; principal?: Principal }>();
    const { authorization, address } = bearerOf(request);
    const principal = await this.credentials.authenticate(authorization, address);
    if (!ALLOWED.has(principal.role)) throw new GatewayError('FORBIDDEN', { detail: 'this needs the window or operator role' });
    this.limiter.take(principal.credentialId);
    request.principal = principal;
    return true;
  }
}
