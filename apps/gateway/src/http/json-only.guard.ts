import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GatewayError } from '#core';

/**
 * Public JSON endpoints take application/json only. (The Fastify adapter also parses form
 * bodies; a form post must be refused with 415, not half-read as an empty application.)
 */
@Injectable()
export class JsonOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ method: string; headers: Record<string, string | undefined> }>();
    if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'PATCH') return true;
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', { detail: 'send application/json' });
    }
    return true;
  }
}
