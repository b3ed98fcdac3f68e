import { Controller, Get, Headers } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CredentialsService } from '../intake/credentials.service.js';
import { RateLimiter } from '../intake/rate-limiter.js';

export interface WhoAmI {
  readonly credentialId: string;
  readonly role: string;
  readonly name: string;
  readonly region: string;
  readonly agency: string | null;
  readonly node: string;
}

/** Who a bearer credential is, whatever its role: the console's sign-in asks this first. */
@ApiTags('console')
@ApiBearerAuth()
@Controller('api/v1/whoami')
export class WhoAmIController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly limiter: RateLimiter,
  ) {}

  @Get()
  async whoami(@Headers('authorization') authorization?: string): Promise<WhoAmI> {
    const p = await this.credentials.authenticate(authorization);
    this.limiter.take(p.credentialId);
    return { credentialId: p.credentialId, role: p.role, name: p.name, region: p.region, agency: p.agency, node: p.node };
  }
}
