// The DTO classes below carry decorator metadata (class-transformer @Type).
import 'reflect-metadata';
import type { ClassConstructor } from 'class-transformer';
import type {
  AgencyFunction,
  CaseStage,
  CaseStatus,
  DeathBenefitRequest,
  MedicalFilingRequest,
  PensionQualificationRequest,
  PensionTransferRequest,
  ServiceCode,
  ServiceRequest,
  SscApplyRequest,
  SscLossRequest,
} from './canonical.js';
import { TRANSFER_CONVERSATION_STAGES } from './canonical.js';
import { DeathBenefitRequestDto } from './death-benefit.dto.js';
import { MedicalFilingRequestDto } from './medical-filing.dto.js';
import { PensionQualificationRequestDto } from './pension-qualification.dto.js';
import { PensionTransferRequestDto } from './pension-transfer.dto.js';
import { SscApplyRequestDto } from './ssc-apply.dto.js';
import { SscLossRequestDto } from './ssc-loss.dto.js';
import { compileWindowRequest, type WindowRequestValidator } from './schema-validator.js';
import sscApplySchema from '../../../contracts/schemas/ssc-apply.v1.schema.json' with { type: 'json' };
import sscLossSchema from '../../../contracts/schemas/ssc-loss.v1.schema.json' with { type: 'json' };
import medicalFilingSchema from '../../../contracts/schemas/medical-filing.v1.schema.json' with { type: 'json' };
import pensionQualificationSchema from '../../../contracts/schemas/pension-qualification.v1.schema.json' with { type: 'json' };
import deathBenefitSchema from '../../../contracts/schemas/death-benefit.v1.schema.json' with { type: 'json' };
import pensionTransferSchema from '../../../contracts/schemas/pension-transfer.v1.schema.json' with { type: 'json' };

/** A statutory time limit, in working days (法定工作日), of one leg of a service. */
export interface TimeLimit {
  /** `handling` for a single-leg service. */
  readonly leg: string;
  readonly workingDays: number;
}

/**
 * One service the gateway carries: who handles it, the request a window submits, the agency's
 * stages after the gateway has handed the case over, and its time limit. Adding a service is
 * its JSON Schema (contracts/schemas, listed in contracts/index.json; `npm run contracts:types`
 * makes its type), an entry here and the adapters' mapping, plus for now the DTO class the
 * tolerant receivers of forwarded requests still use (`dto`).
 */
export interface ServiceDefinition<R extends ServiceRequest = ServiceRequest> {
  readonly code: R['service'];
  readonly title: { readonly zh: string; readonly en: string };
  /**
   * The window's request as published (contracts/schemas, compiled once at start): what intake
   * checks a body against.
   */
  readonly contract: WindowRequestValidator<R>;
  /**
   * The same request as a class-validator class, for the receivers that are tolerant of unknown
   * fields (a forwarded request at the handling node, an agency adapter opening sealed fields).
   */
  readonly dto: ClassConstructor<R>;
  /** The handling province's agency serves it: `<node>.<agencyFunction>`. */
  readonly agencyFunction: AgencyFunction;
  /** The request field whose region decides who handles the case (named in routing refusals). */
  readonly regionField: string;
  readonly handlingRegion: (request: R) => string;
  /** Other regions the case will reach (a pension transfer's transfer-out places), checked at intake. */
  readonly otherRegions?: (request: R) => readonly { readonly field: string; readonly region: string }[];
  /** The ID number a window searches the case by (the applicant, or the claimant). */
  readonly subjectIdNumber: (request: R) => string;
  /**
   * A short word for the kind of request (card kind, loss action, filing action), or null. It
   * reads open fields only: gateways see the request without its personal fields (PERSONAL_PATHS).
   */
  readonly kindOf: (request: R) => string | null;
  /** Stages the agency may report first, once the case is handed over. */
  readonly first: readonly CaseStage[];
  /** The agency's stages and where each may lead. */
  readonly flow: Readonly<Partial<Record<CaseStage, readonly CaseStage[]>>>;
  /** Where a case may go once the supplement it waited for has come (the review resumes). */
  readonly afterSupplement: readonly CaseStage[];
  /** Stages at which the case is done and granted (status `completed`). */
  readonly completes: readonly CaseStage[];
  /** Stages at which the handling side has not yet decided: a window may still withdraw. */
  readonly undecided: readonly CaseStage[];
  /** A stage the handling side records itself as soon as the agency has the case (a transfer's leg-1 review). */
  readonly onHandOver?: CaseStage;
  /** Notes a multi-party service records on the case while it is open (a pension transfer's conversation steps). */
  readonly conversationNotes?: readonly CaseStage[];
  /** One limit per leg; a case's own clock runs for their sum, each conversation's leg for its own. */
  readonly limits: readonly TimeLimit[];
}

const GATEWAY_UNDECIDED: readonly CaseStage[] = ['submitted', 'forwarded', 'received', 'agency-received'];

const SSC_APPLY: ServiceDefinition<SscApplyRequest> = {
  code: 'ssc.apply',
  title: { zh: '社保卡申领/补领/换领', en: 'Social-security card application, reissue, renewal' },
  contract: compileWindowRequest<SscApplyRequest>(sscApplySchema),
  dto: SscApplyRequestDto,
  agencyFunction: 'card',
  regionField: 'issuingRegion',
  handlingRegion: (r) => r.issuingRegion,
  subjectIdNumber: (r) => r.applicant.idNumber,
  kindOf: (r) => r.kind,
  first: ['eligibility-check', 'rejected'],
  flow: {
    'eligibility-check': ['in-production', 'rejected', 'supplement-requested'],
    'in-production': ['produced', 'rejected'],
    produced: ['mailed'],
    mailed: ['collected'],
  },
  afterSupplement: ['eligibility-check', 'in-production', 'rejected'],
  completes: ['collected'],
  undecided: [...GATEWAY_UNDECIDED, 'eligibility-check', 'supplement-requested', 'supplement-supplied'],
  limits: [{ leg: 'handling', workingDays: 30 }],
};

const SSC_LOSS: ServiceDefinition<SscLossRequest> = {
  code: 'ssc.loss',
  title: { zh: '社保卡挂失/解挂', en: 'Card loss report and unblock' },
  contract: compileWindowRequest<SscLossRequest>(sscLossSchema),
  dto: SscLossRequestDto,
  agencyFunction: 'card',
  regionField: 'issuingRegion',
  handlingRegion: (r) => r.issuingRegion,
  subjectIdNumber: (r) => r.applicant.idNumber,
  kindOf: (r) => (r.action === 'report' ? `report-${r.lossType ?? 'formal'}` : 'unblock'),
  first: ['loss-reported', 'unblocked', 'rejected'],
  // A temporary report lapses by itself after the issuing agency's number of days.
  flow: { 'loss-reported': ['loss-expired'] },
  afterSupplement: [],
  completes: ['loss-reported', 'unblocked', 'loss-expired'],
  undecided: GATEWAY_UNDECIDED,
  // 即时办结: an immediate service; a case still open the next working day is overdue.
  limits: [{ leg: 'handling', workingDays: 1 }],
};

const MEDICAL_FILING: ServiceDefinition<MedicalFilingRequest> = {
  code: 'medical.filing',
  title: { zh: '异地就医备案', en: 'Medical care elsewhere: filing' },
  contract: compileWindowRequest<MedicalFilingRequest>(medicalFilingSchema),
  dto: MedicalFilingRequestDto,
  agencyFunction: 'medical',
  regionField: 'insuredRegion',
  handlingRegion: (r) => r.insuredRegion,
  subjectIdNumber: (r) => r.applicant.idNumber,
  kindOf: (r) => `${r.action}-${r.filingType}`,
  // An emergency counts as filed: the agency may report it effective at once.
  first: ['filed', 'effective', 'changed', 'cancelled', 'rejected', 'supplement-requested'],
  flow: { filed: ['effective', 'rejected'] },
  afterSupplement: ['filed', 'effective', 'changed', 'cancelled', 'rejected'],
  completes: ['effective', 'changed', 'cancelled'],
  undecided: [...GATEWAY_UNDECIDED, 'supplement-requested', 'supplement-supplied'],
  limits: [{ leg: 'handling', workingDays: 1 }],
};

const PENSION_QUALIFICATION: ServiceDefinition<PensionQualificationRequest> = {
  code: 'pension.qualification',
  title: { zh: '待遇领取资格认证', en: 'Pensioner qualification check' },
  contract: compileWindowRequest<PensionQualificationRequest>(pensionQualificationSchema),
  dto: PensionQualificationRequestDto,
  agencyFunction: 'pension',
  regionField: 'payingRegion',
  handlingRegion: (r) => r.payingRegion,
  subjectIdNumber: (r) => r.applicant.idNumber,
  kindOf: (r) => r.method,
  first: ['authenticated', 'authentication-failed', 'rejected'],
  flow: {
    // A pension suspended for a missed check is resumed, with back-pay, once the check passes.
    authenticated: ['payment-resumed'],
    'authentication-failed': ['payment-suspended'],
  },
  afterSupplement: [],
  completes: ['authenticated', 'payment-resumed', 'payment-suspended'],
  undecided: GATEWAY_UNDECIDED,
  limits: [{ leg: 'handling', workingDays: 5 }],
};

const DEATH_BENEFIT: ServiceDefinition<DeathBenefitRequest> = {
  code: 'pension.death-benefit',
  title: { zh: '城乡居保死亡待遇申领', en: 'Resident pension death benefit' },
  contract: compileWindowRequest<DeathBenefitRequest>(deathBenefitSchema),
  dto: DeathBenefitRequestDto,
  agencyFunction: 'pension',
  regionField: 'insuredRegion',
  handlingRegion: (r) => r.insuredRegion,
  subjectIdNumber: (r) => r.claimant.idNumber,
  kindOf: (r) => r.deathProof.type,
  first: ['accepted', 'not-accepted'],
  flow: {
    accepted: ['in-review', 'approved', 'rejected', 'supplement-requested'],
    'in-review': ['approved', 'rejected', 'supplement-requested'],
    approved: ['relation-ended'],
    'relation-ended': ['benefit-paid'],
  },
  afterSupplement: ['in-review', 'approved', 'rejected'],
  completes: ['benefit-paid'],
  undecided: [...GATEWAY_UNDECIDED, 'accepted', 'in-review', 'supplement-requested', 'supplement-supplied'],
  limits: [{ leg: 'handling', workingDays: 20 }],
};

const PENSION_TRANSFER: ServiceDefinition<PensionTransferRequest> = {
  code: 'pension.transfer',
  title: { zh: '养老保险关系转移接续', en: 'Employee pension insurance transfer' },
  contract: compileWindowRequest<PensionTransferRequest>(pensionTransferSchema),
  dto: PensionTransferRequestDto,
  agencyFunction: 'pension',
  regionField: 'transferInRegion',
  handlingRegion: (r) => r.transferInRegion,
  otherRegions: (r) => r.transferOut.map((place, i) => ({ field: `transferOut[${i}].region`, region: place.region })),
  subjectIdNumber: (r) => r.applicant.idNumber,
  kindOf: (r) => r.insuranceType,
  // The case's stage sums up its conversations (one per transfer-out place): leg 1 under review,
  // leg 2 awaited from a transfer-out side, leg 3 merging; it ends when every conversation has.
  first: ['in-review', 'awaiting-transfer-out', 'merging', 'completed', 'rejected'],
  flow: {
    'in-review': ['awaiting-transfer-out', 'merging', 'completed', 'rejected'],
    'awaiting-transfer-out': ['merging', 'completed', 'rejected'],
    merging: ['completed', 'rejected'],
  },
  afterSupplement: [],
  completes: ['completed'],
  undecided: [...GATEWAY_UNDECIDED, 'in-review'],
  // Leg 1 (the contact letter) starts with the transfer-in agency's review.
  onHandOver: 'in-review',
  conversationNotes: TRANSFER_CONVERSATION_STAGES,
  // 国办发〔2009〕66号: 15 working days for each of the three steps.
  limits: [
    { leg: 'contact-letter', workingDays: 15 },
    { leg: 'information-sheet', workingDays: 15 },
    { leg: 'merge', workingDays: 15 },
  ],
};

/** Every service, by code. */
export const SERVICE_CATALOGUE: { readonly [C in ServiceCode]: ServiceDefinition<Extract<ServiceRequest, { service: C }>> } = {
  'ssc.apply': SSC_APPLY,
  'ssc.loss': SSC_LOSS,
  'medical.filing': MEDICAL_FILING,
  'pension.qualification': PENSION_QUALIFICATION,
  'pension.death-benefit': DEATH_BENEFIT,
  'pension.transfer': PENSION_TRANSFER,
};

/**
 * The definition of a service, or undefined for a code the gateway does not carry.
 *
 * @example serviceDefinition('ssc.loss')?.agencyFunction // 'card'
 */
export function serviceDefinition(code: string): ServiceDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(SERVICE_CATALOGUE, code)
    ? (SERVICE_CATALOGUE[code as ServiceCode] as unknown as ServiceDefinition)
    : undefined;
}

/** Stages that are notes on the timeline: recorded and sent back, but the case stays where it is. */
export const NOTE_STAGES: readonly CaseStage[] = ['withdrawal-requested', 'withdrawal-refused', ...TRANSFER_CONVERSATION_STAGES];

/** Stages at which a case is refused (status `rejected`). */
const REJECTING: readonly CaseStage[] = ['rejected', 'not-accepted'];

/**
 * The status a case has at a stage of a service.
 *
 * @example statusAt('ssc.apply', 'collected') // 'completed'
 * @example statusAt('medical.filing', 'filed') // 'in-progress'
 */
export function statusAt(service: string, stage: CaseStage): CaseStatus {
  if (REJECTING.includes(stage)) return 'rejected';
  if (stage === 'withdrawn') return 'withdrawn';
  if (serviceDefinition(service)?.completes.includes(stage)) return 'completed';
  return 'in-progress';
}
