import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/credentials.service.js';
import { IntakeService } from '../intake/intake.service.js';
import { qrSvg } from './qr-svg.js';

/**
 * The QR code printed on an acceptance receipt (受理回执): the case number alone, so any reader
 * at any window of either province can look the case up. Drawn here as SVG; nothing is fetched.
 */
@Injectable()
export class ReceiptQrService {
  constructor(private readonly intake: IntakeService) {}

  /** The QR of one of this window's cases (CASE_NOT_FOUND for another window's). */
  async forCase(window: Principal, caseId: string): Promise<string> {
    const view = await this.intake.view(window, caseId);
    return qrSvg(view.caseId);
  }
}
