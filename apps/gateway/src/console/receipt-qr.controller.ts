import { Controller, Get, Header, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/credentials.service.js';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { CurrentPrincipal, PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import { ReceiptQrService } from './receipt-qr.service.js';

/** The acceptance receipt's QR code (the case number), for the window that accepted the case. */
@ApiTags('intake')
@ApiBearerAuth()
@Controller('api/v1/applications')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('window')
export class ReceiptQrController {
  constructor(private readonly qr: ReceiptQrService) {}

  @Get(':caseId/qr.svg')
  @Header('content-type', 'image/svg+xml; charset=utf-8')
  @Header('cache-control', 'private, max-age=3600')
  @ApiProduces('image/svg+xml')
  async qrCode(@CurrentPrincipal() window: Principal, @Param('caseId') caseId: string): Promise<string> {
    return this.qr.forCase(window, caseId);
  }
}
