import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError } from '#core';
import type { CredentialRole } from '#persistence';
import { CredentialsService, type Principal } from './credentials.service.js';
import { RateLimiter } from './rate-limiter.js';

const ROLE_KEY = 'cytb:role';

/** Marks a controller or route as needing a credential of one of these roles. */
export const RequireRole = (...roles: readonly CredentialRole[]) => SetMetadata(ROLE_KEY, roles);

interface RequestWithPrincipal {
  headers: Record<string, string | string[] | undefined>;
  /** Fastify's client address: the connection's peer, or X-Forwarded-For's client behind a TRUST_PROXY balancer. */
  ip?: string;
  principal?: Principal;
}

/** The bearer header and client address of a request, as CredentialsService.authenticate takes them. */
function bearerOf(request: RequestWithPrincipal): { readonly authorization: string | undefined; readonly address: string } {
  const header = request.headers['authorization'];
  return { authorization: Array.isArray(header) ? header[0] : header, address: request.ip ?? 'unknown' };
}

/**
 * The one guard of every face that takes a bearer credential: authenticates it, checks its role
 * against `RequireRole`, counts the request against the credential's rate limit, and sets
 * `request.principal` for `CurrentPrincipal`.
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<readonly CredentialRole[] | undefined>(ROLE_KEY, [context.getHandler(), context.getClass()]);
    if (!roles) return true;
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const { authorization, address } = bearerOf(request);
    const principal = await this.credentials.authenticate(authorization, address);
    if (!roles.includes(principal.role)) throw new GatewayError('FORBIDDEN', { detail: `this needs the ${roles.join(' or ')} role` });
    this.limiter.take(principal.credentialId);
    request.principal = principal;
    return true;
  }
}

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw new GatewayError('UNAUTHENTICATED');
  return principal;
});
