// Generated from contracts/schemas/ssc-loss.v1.schema.json by `npm run contracts:types`: do not edit; change the schema and regenerate.

/** 社保卡挂失/解挂 (ssc.loss v1): Report a social-security card lost, or unblock it: the body of POST /api/v1/applications for service ssc.loss. lossType is required to report and absent to unblock. Unknown fields are refused at intake (VALIDATION_FAILED): a typo must not pass silently. */
export interface SscLossRequestV1 {
  /** 事项编码: Service code: ssc.loss (社保卡挂失/解挂). */
  readonly service: 'ssc.loss';
  /** 办理类型: Report a loss or unblock the card. */
  readonly action: 'report' | 'unblock';
  /** 挂失类型: Required to report, absent to unblock. A temporary report lapses by itself after the issuing agency's number of days; a formal one does not. */
  readonly lossType?: 'temporary' | 'formal';
  /** 挂失功能: Which functions of the card the report or unblock covers: one or both, each once. */
  readonly functions: ReadonlyArray<'social' | 'bank'>;
  /** 持卡人: The card holder. */
  readonly applicant: {
    /** 身份证号码: Citizen ID number; also the social-security number. GB 11643, 18 characters (17 digits and a check character; lower-case x is accepted). The check character and birth date are verified by code (ID_NUMBER_INVALID). Taken as sent: a blank before, after or inside the number is refused (ID_NUMBER_INVALID), not trimmed. */
    readonly idNumber: string;
    /** 姓名: Full name as on the ID card. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly name: string;
    /** 联系电话: Contact phone: a mobile number (11 digits) or a landline with area code (e.g. 028-86671234). */
    readonly phone: string;
  };
  /** 发卡地: Card-issuing region: it decides the handling side. A GB/T 2260 code, current or historic; membership is checked by code (REGION_UNKNOWN). */
  readonly issuingRegion: string;
  /** 社保卡卡号: The 9-character card number, when the holder knows it (upper-case letters and digits). */
  readonly cardNumber?: string;
  /** 材料清单: Scanned documents kept at the accepting window, named by type and SHA-256 (at most 20). */
  readonly materials: ReadonlyArray<{
    /** 材料类型: What the document is, a lower-case slug, e.g. id-card-copy, loss-report, death-certificate. */
    readonly type: string;
    /** 文件摘要: Lower-case hex SHA-256 of the scanned document. */
    readonly sha256: string;
  }>;
}
