import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Clock, toShanghaiIso } from '#core';
import { GATEWAY_CONFIG } from '../config/config.token.js';
import type { GatewayConfig } from '../config/gateway.config.js';
import { CredentialsService } from '../auth/credentials.service.js';
import { bearerOf } from '../auth/principal.guard.js';
import { RateLimiter } from '../auth/rate-limiter.js';

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

/** Who a bearer credential is, whatever its role: the console's sign-in asks this first. */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/v1/whoami')
export class WhoAmIController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly credentials: CredentialsService,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
  ) {}

  @Get()
  async whoami(@Req() request: { headers: Record<string, string | string[] | undefined>; ip?: string }): Promise<WhoAmI> {
    const { authorization, address } = bearerOf(request);
    const p = await this.credentials.authenticate(authorization, address);
    this.limiter.take(p.credentialId);
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
