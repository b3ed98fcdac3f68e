// Generated from contracts/schemas/ssc-apply.v1.schema.json by `npm run contracts:types`: do not edit; change the schema and regenerate.

/** 社保卡申领/补领/换领 (ssc.apply v1): Social-security card application, reissue after loss, replacement, renewal: the body of POST /api/v1/applications for service ssc.apply. Unknown fields are refused at intake (VALIDATION_FAILED): a typo must not pass silently. */
export interface SscApplyRequestV1 {
  /** 事项编码: Service code: ssc.apply (社保卡申领/补领/换领). */
  readonly service: 'ssc.apply';
  /** 申领类型: Kind of application. */
  readonly kind: 'new' | 'reissue-after-loss' | 'replace-damaged' | 'renew';
  /** 申请人: The applicant. */
  readonly applicant: {
    /** 身份证号码: Citizen ID number; also the social-security number. GB 11643, 18 characters (17 digits and a check character; lower-case x is accepted). The check character and birth date are verified by code (ID_NUMBER_INVALID). Taken as sent: a blank before, after or inside the number is refused (ID_NUMBER_INVALID), not trimmed. */
    readonly idNumber: string;
    /** 姓名: Full name as on the ID card. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly name: string;
    /** 联系电话: Contact phone: a mobile number (11 digits) or a landline with area code (e.g. 028-86671234). */
    readonly phone: string;
  };
  /** 发卡地: Card-issuing (insured) region: it decides the handling side. A GB/T 2260 code, current or historic; membership is checked by code (REGION_UNKNOWN). */
  readonly issuingRegion: string;
  /** 邮寄地址: Where the card is mailed. */
  readonly deliveryAddress: {
    /** 所在区县: County-level region of the address. A GB/T 2260 code, current or historic; membership is checked by code (REGION_UNKNOWN). */
    readonly region: string;
    /** 详细地址: Street address, 4–200 characters. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly line: string;
    /** 邮政编码: Postcode, 6 digits (optional). */
    readonly postcode?: string;
  };
  /** 照片编号: Reference of the photo held by the photo service of the accepting window: 4–64 letters, digits, - or _. */
  readonly photoRef: string;
  /** 材料清单: Scanned documents kept at the accepting window, named by type and SHA-256 (at most 20). */
  readonly materials: ReadonlyArray<{
    /** 材料类型: What the document is, a lower-case slug, e.g. id-card-copy, loss-report, death-certificate. */
    readonly type: string;
    /** 文件摘要: Lower-case hex SHA-256 of the scanned document. */
    readonly sha256: string;
  }>;
}
