import { Body, Controller, Get, Header, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GatewayError } from '#core';
import { FileKeyStore, type PublicJwk } from '#signing';
import { InboundService } from './inbound.service.js';
import { ApiTags } from '@nestjs/swagger';

/** The peer face: other nodes deliver signed envelopes here and get signed receipts back. */
@ApiTags('peer')
@Controller()
export class PeerController {
  constructor(
    private readonly inbound: InboundService,
    private readonly keys: FileKeyStore,
  ) {}

  /** Body: one compact JWS (RFC 7515 §7.1), media type application/jose (RFC 7515 §9.2.1). */
  @Post('peer/v1/envelopes')
  @HttpCode(200)
  async receive(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (typeof body !== 'string') {
      throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', { detail: 'send the envelope as application/jose' });
    }
    const result = await this.inbound.receive(body.trim());
    void reply.header('content-type', 'application/jose');
    void reply.header('x-cytb-duplicate', String(result.duplicate));
    return result.receipt;
  }

  @Get('.well-known/jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks(): { keys: PublicJwk[] } {
    return this.keys.publicJwks();
  }
}
