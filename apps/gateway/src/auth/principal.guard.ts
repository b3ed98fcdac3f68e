import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError } from '#core';
import type { CredentialRole } from '#persistence';
import { CredentialsService, type Principal } from './credentials.service.js';
import { RateLimiter } from './rate-limiter.js';

const ROLE_KEY = 'cytb:role';

/** Marks a controller or route as needing a credential of this role. */
export const RequireRole = (role: CredentialRole) => SetMetadata(ROLE_KEY, role);

interface RequestWithPrincipal {
  headers: Record<string, string | string[] | undefined>;
  /** Fastify's client address: the connection's peer, or X-Forwarded-For's client behind a TRUST_PROXY balancer. */
  ip?: string;
  principal?: Principal;
}

/** The bearer header and client address of a request, as CredentialsService.authenticate takes them. */
export function bearerOf(request: RequestWithPrincipal): { readonly authorization: string | undefined; readonly address: string } {
  const header = request.headers['authorization'];
  return { authorization: Array.isArray(header) ? header[0] : header, address: request.ip ?? 'unknown' };
}

/** Authenticates the bearer credential and checks its role. */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const role = this.reflector.getAllAndOverride<CredentialRole | undefined>(ROLE_KEY, [context.getHandler(), context.getClass()]);
    if (!role) return true;
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const { authorization, address } = bearerOf(request);
    const principal = await this.credentials.authenticate(authorization, address);
    if (principal.role !== role) throw new GatewayError('FORBIDDEN', { detail: `this needs the ${role} role` });
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
