import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { validateContract } from '#contracts';
import { decidePensionPlace, planTransfer, type AccountReason, type PayingRule, type TransferPlan } from '#pension';
import { PrincipalGuard, RequireRole } from '../auth/principal.guard.js';
import { JsonOnlyGuard } from '../http/json-only.guard.js';
import { PayingPlaceRequestDto, toPensionInput, TransferPlanRequestDto } from './paying-place.dto.js';

export interface Reason {
  readonly zh: string;
  readonly en: string;
}

/** What a window shows: the paying place, the rule that decided it, and each place's account. */
export interface PayingPlaceAnswer {
  readonly payingPlace: { readonly region: string; readonly rule: PayingRule; readonly reason: Reason };
  readonly places: readonly {
    readonly region: string;
    readonly firstEnrolled: string;
    readonly months: number;
    readonly ageAtFirstEnrolment: number;
    readonly temporaryAccount: boolean;
    readonly reasonCode: AccountReason;
    readonly reason: Reason;
  }[];
}

/**
 * Pension transfer advice for a window (国办发〔2009〕66号): no case is opened and nothing is
 * stored; the answer is computed from the body alone.
 */
@ApiTags('pension')
@ApiBearerAuth()
@Controller('api/v1/pension')
@UseGuards(JsonOnlyGuard, PrincipalGuard)
@RequireRole('window', 'operator')
export class PensionController {
  /** Which place pays the pension later (第六条 rules 1–4), with temporary accounts (第五条) marked. */
  @Post('paying-place')
  @HttpCode(200)
  payingPlace(@Body() body: unknown): PayingPlaceAnswer {
    const { person, places } = toPensionInput(validateContract(PayingPlaceRequestDto, body));
    const decision = decidePensionPlace(person, places);
    return {
      payingPlace: {
        region: decision.payingPlace.region,
        rule: decision.payingPlace.rule,
        reason: { zh: decision.payingPlace.explanation, en: decision.payingPlace.explanationEn },
      },
      places: decision.accounts.map((a) => ({
        region: a.region,
        firstEnrolled: a.firstEnrolled,
        months: a.months,
        ageAtFirstEnrolment: a.ageAtFirstEnrolment,
        temporaryAccount: a.temporary,
        reasonCode: a.reason,
        reason: a.explanation,
      })),
    };
  }

  /**
   * Who writes to whom in a transfer: the transfer-in side (the new relation place, the place that
   * keeps the relation when the new one is only a temporary account, or the paying place at
   * retirement), the places that send an information sheet, and the letters in order. The window
   * submits `pension.transfer` with that transfer-in region and those places; the gateway carries
   * the letters wherever the transfer-in side is.
   */
  @Post('transfer-plan')
  @HttpCode(200)
  transferPlan(@Body() body: unknown): TransferPlan {
    const request = validateContract(TransferPlanRequestDto, body);
    const { person, places } = toPensionInput(request);
    return planTransfer(person, places, request.occasion);
  }
}
