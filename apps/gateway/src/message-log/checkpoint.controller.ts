import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { GatewayError } from '#core';
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
    if (typeof body !== 'string') throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', { detail: 'send a checkpoint as application/jose' });
    const countersignature = await this.countersigner.countersign(body.trim());
    void reply.header('content-type', 'application/jose');
    return countersignature;
  }
}
