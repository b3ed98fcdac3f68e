// Generated from contracts/schemas/pension-qualification.v1.schema.json by `npm run contracts:types`: do not edit; change the schema and regenerate.

/** 待遇领取资格认证 (pension.qualification v1): Pensioner qualification check assisted by the residence region: the body of POST /api/v1/applications for service pension.qualification. The cycle year must be this year or last (checked by code against today). Unknown fields are refused at intake (VALIDATION_FAILED): a typo must not pass silently. */
export interface PensionQualificationRequestV1 {
  /** 事项编码: Service code: pension.qualification (待遇领取资格认证). */
  readonly service: 'pension.qualification';
  /** 待遇领取人: The pensioner. */
  readonly applicant: {
    /** 身份证号码: Citizen ID number; also the social-security number. GB 11643, 18 characters (17 digits and a check character; lower-case x is accepted). The check character and birth date are verified by code (ID_NUMBER_INVALID). Taken as sent: a blank before, after or inside the number is refused (ID_NUMBER_INVALID), not trimmed. */
    readonly idNumber: string;
    /** 姓名: Full name as on the ID card. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly name: string;
    /** 联系电话: Contact phone: a mobile number (11 digits) or a landline with area code (e.g. 028-86671234). */
    readonly phone: string;
  };
  /** 养老保险类型: Which pension. */
  readonly pensionType: 'employee' | 'resident';
  /** 待遇发放地: Region that pays the pension: it decides the handling side. A GB/T 2260 code, current or historic; membership is checked by code (REGION_UNKNOWN). */
  readonly payingRegion: string;
  /** 居住地: Where the pensioner lives (the assisting region). A GB/T 2260 code, current or historic; membership is checked by code (REGION_UNKNOWN). */
  readonly residenceRegion: string;
  /** 认证方式: How the residence region verified the pensioner. */
  readonly method: 'in-person' | 'home-visit' | 'video';
  /** 认证年度: The certification cycle, a calendar year (2000–2100; this year or last, checked by code). */
  readonly cycleYear: number;
  /** 材料清单: Scanned documents kept at the accepting window, named by type and SHA-256 (at most 20). */
  readonly materials: ReadonlyArray<{
    /** 材料类型: What the document is, a lower-case slug, e.g. id-card-copy, loss-report, death-certificate. */
    readonly type: string;
    /** 文件摘要: Lower-case hex SHA-256 of the scanned document. */
    readonly sha256: string;
  }>;
}
