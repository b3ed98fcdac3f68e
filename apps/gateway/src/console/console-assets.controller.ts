import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ConsoleAssets, type ConsoleAsset } from './console-assets.js';

/**
 * Why so strict: the console handles bearer tokens and personal data, so it runs only its own
 * scripts and styles (no inline code, nothing from another origin) and cannot be framed.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** GET /console: the web console for window clerks and operators (static files). */
@ApiExcludeController()
@Controller('console')
export class ConsoleAssetsController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  index(@Res() reply: FastifyReply): void {
    send(reply, this.assets.get('index.html'));
  }

  @Get(':file')
  file(@Param('file') file: string, @Res() reply: FastifyReply): void {
    send(reply, this.assets.get(file));
  }
}

function send(reply: FastifyReply, asset: ConsoleAsset): void {
  void reply.headers({ ...SECURITY_HEADERS, 'content-type': asset.contentType }).send(asset.body);
}
