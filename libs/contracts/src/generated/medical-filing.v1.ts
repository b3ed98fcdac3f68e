// Generated from contracts/schemas/medical-filing.v1.schema.json by `npm run contracts:types`: do not edit; change the schema and regenerate.

/** 异地就医备案 (medical.filing v1): Medical care elsewhere: file, change or cancel a filing. The body of POST /api/v1/applications for service medical.filing. filingRef names the filing to change or cancel (absent when filing); long-term and emergency filings have no end date. A temporary filing covering less than six months (FILING_PERIOD_TOO_SHORT) and an end before the start (DATE_INVALID) are checked by code. Unknown fields are refused at intake (VALIDATION_FAILED): a typo must not pass silently. */
export interface MedicalFilingRequestV1 {
  /** 事项编码: Service code: medical.filing (异地就医备案). */
  readonly service: 'medical.filing';
  /** 办理类型: File, change or cancel. */
  readonly action: 'file' | 'change' | 'cancel';
  /** 备案类型: Long-term residents have no end date; a temporary filing covers at least six months; an emergency counts as filed. */
  readonly filingType: 'long-term-resident' | 'temporary' | 'emergency';
  /** 参保人: The insured person. */
  readonly applicant: {
    /** 身份证号码: Citizen ID number; also the social-security number. GB 11643, 18 characters (17 digits and a check character; lower-case x is accepted). The check character and birth date are verified by code (ID_NUMBER_INVALID). Taken as sent: a blank before, after or inside the number is refused (ID_NUMBER_INVALID), not trimmed. */
    readonly idNumber: string;
    /** 姓名: Full name as on the ID card. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly name: string;
    /** 联系电话: Contact phone: a mobile number (11 digits) or a landline with area code (e.g. 028-86671234). */
    readonly phone: string;
  };
  /** 参保地: Insured region: it decides the handling side. A GB/T 2260 code, current or historic; membership is checked by code (REGION_UNKNOWN). */
  readonly insuredRegion: string;
  /** 就医地: Where the person seeks care; any region of China. A GB/T 2260 code, current or historic; membership is checked by code (REGION_UNKNOWN). */
  readonly careRegion: string;
  /** 开始日期: First day the filing covers; for an emergency, the day of admission. YYYY-MM-DD, a real calendar day (DATE_INVALID otherwise). */
  readonly startDate: string;
  /** 结束日期: Last day covered: only for a temporary filing, at least six months after startDate. YYYY-MM-DD, a real calendar day (DATE_INVALID otherwise). */
  readonly endDate?: string;
  /** 原备案编号: For change and cancel: the case number of the filing being changed or cancelled. */
  readonly filingRef?: string;
  /** 材料清单: Scanned documents kept at the accepting window, named by type and SHA-256 (at most 20). */
  readonly materials: ReadonlyArray<{
    /** 材料类型: What the document is, a lower-case slug, e.g. id-card-copy, loss-report, death-certificate. */
    readonly type: string;
    /** 文件摘要: Lower-case hex SHA-256 of the scanned document. */
    readonly sha256: string;
  }>;
}
