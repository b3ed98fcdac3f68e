import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { compactJwsText } from '../http/jose-body.js';
import { CheckpointCountersigner } from './checkpoint-countersigner.service.js';
import { CHECKPOINT_PATH } from './checkpoint-sender.service.js';

/** The peer face for log checkpoints: a peer sends its signed checkpoint, we answer our countersignature. */
@ApiTags('peer')
@Controller()
export class CheckpointController {
  constructor(private readonly countersigner: CheckpointCountersigner) {}

  /** Body and answer: one compact JWS (RFC 7515 §7.1) as application/jose (RFC 7515 §9.2.1). */
  @Post(CHECKPOINT_PATH)
  @HttpCode(200)
  async countersign(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    // The bytes as received, untrimmed: the countersignature covers the SHA-256 of exactly these.
    const countersignature = await this.countersigner.countersign(compactJwsText(body));
    void reply.header('content-type', 'application/jose');
    return countersignature;
  }
}
