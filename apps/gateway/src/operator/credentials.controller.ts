import { Body, Controller, Get, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { GatewayError } from '#core';
import { validateContract } from '#contracts';
import type { Principal } from '../auth/credentials.service.js';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { CurrentPrincipal, PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import { CredentialAdminService, type CredentialView, type ReissuedCredential } from './credential-admin.service.js';
import { DisableCredentialRequestDto } from './disable-credential-request.dto.js';
import { ReissueCredentialRequestDto } from './reissue-credential-request.dto.js';

/** The credential ids a node issues (the same shape the bearer check accepts). */
const CREDENTIAL_ID = /^[a-z0-9-]{1,64}$/;

function credentialIdOf(raw: string): string {
  if (!CREDENTIAL_ID.test(raw)) throw GatewayError.field('VALIDATION_FAILED', 'credentialId', 'a credential id is 1 to 64 of a-z, 0-9 and -');
  return raw;
}

/** The window and operator credentials of this node: list, disable, reissue (operator role, audited). */
@ApiTags('operator')
@ApiBearerAuth()
@Controller('api/v1/operator/credentials')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('operator')
export class CredentialsController {
  constructor(private readonly admin: CredentialAdminService) {}

  /** Every credential with its state, expiry and last use; never a secret or its hash. */
  @Get()
  async list(): Promise<{ items: CredentialView[] }> {
    return { items: await this.admin.list() };
  }

  /** Refuses the credential from now on (CREDENTIAL_DISABLED), on this replica at once, within 5 s on the others. */
  @Post(':credentialId/disable')
  @HttpCode(200)
  async disable(@CurrentPrincipal() operator: Principal, @Param('credentialId') credentialId: string, @Body() body: unknown): Promise<CredentialView> {
    const request = validateContract(DisableCredentialRequestDto, body);
    return this.admin.disable(operator, credentialIdOf(credentialId), request.reason);
  }

  /** A new secret, answered this once (not stored anywhere readable, not cached); the old one stops working. */
  @Post(':credentialId/reissue')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async reissue(@CurrentPrincipal() operator: Principal, @Param('credentialId') credentialId: string, @Body() body: unknown): Promise<ReissuedCredential> {
    const request = validateContract(ReissueCredentialRequestDto, body);
    return this.admin.reissue(operator, credentialIdOf(credentialId), request.reason, request.expiresInDays);
  }
}
