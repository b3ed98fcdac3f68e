import { Body, Controller, Get, Header, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { FileKeyStore, type PublicJwk } from '#signing';
import { compactJwsText } from '../http/jose-body.js';
import { BatchInboundService, type BatchAnswer } from './batch-inbound.service.js';
import { InboundService } from './inbound.service.js';
import { ApiTags } from '@nestjs/swagger';

/** The peer face: other nodes deliver signed envelopes here and get signed receipts back. */
@ApiTags('peer')
@Controller()
export class PeerController {
  constructor(
    private readonly inbound: InboundService,
    private readonly batches: BatchInboundService,
    private readonly keys: FileKeyStore,
  ) {}

  /**
   * Body: one compact JWS (RFC 7515 §7.1), media type application/jose (RFC 7515 §9.2.1), exactly:
   * no whitespace around it (the receipt binds the SHA-256 of the bytes as they came).
   */
  @Post('peer/v1/envelopes')
  @HttpCode(200)
  async receive(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const result = await this.inbound.receive(compactJwsText(body));
    // A message first taken in a batch keeps its batch proof (JSON) as its receipt.
    void reply.header('content-type', result.receipt.startsWith('{') ? 'application/json' : 'application/jose');
    void reply.header('x-cytb-duplicate', String(result.duplicate));
    return result.receipt;
  }

  /**
   * Body: up to 100 compact JWS from one sender, separated by line feeds, with nothing else (no
   * CR, no blank or trailing line), sent as application/jose, so the peer body limit applies. Answer: one signed receipt for every envelope taken, as a Merkle
   * root over their ids and SHA-256s (libs/delivery batch-proof.ts), and one result per line.
   */
  @Post('peer/v1/envelope-batches')
  @HttpCode(200)
  async receiveBatch(@Body() body: unknown): Promise<BatchAnswer> {
    return this.batches.receiveBatch(compactJwsText(body, { lines: true }));
  }

  @Get('.well-known/jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks(): { keys: PublicJwk[] } {
    return this.keys.publicJwks();
  }
}
