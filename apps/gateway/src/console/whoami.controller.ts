import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Clock, toShanghaiIso } from '#core';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import type { Principal } from '../auth/credentials.service.js';
import { CurrentPrincipal, PrincipalGuard, RequireRole } from '../auth/principal.guard.js';

const DAY_MS = 24 * 3600_000;

export interface WhoAmI {
  readonly credentialId: string;
  readonly role: string;
  readonly name: string;
  readonly region: string;
  readonly agency: string | null;
  readonly node: string;
  /** When the credential stops working (Asia/Shanghai ISO 8601); null = never. */
  readonly expiresAt: string | null;
  /** It expires within CREDENTIAL_EXPIRY_WARNING_DAYS: the console shows a warning. */
  readonly expiresSoon: boolean;
}

/** Who a bearer credential is, of either role: the console's sign-in asks this first. */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/v1/whoami')
@UseGuards(PrincipalGuard)
@RequireRole('window', 'operator')
export class WhoAmIController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly clock: Clock,
  ) {}

  @Get()
  whoami(@CurrentPrincipal() p: Principal): WhoAmI {
    const warnFrom = this.clock.nowMs() + this.config.credentialExpiryWarningDays * DAY_MS;
    return {
      credentialId: p.credentialId,
      role: p.role,
      name: p.name,
      region: p.region,
      agency: p.agency,
      node: p.node,
      expiresAt: p.expiresAt === null ? null : toShanghaiIso(p.expiresAt),
      expiresSoon: p.expiresAt !== null && p.expiresAt <= warnFrom,
    };
  }
}
