// Generated from contracts/schemas/pension-transfer.v1.schema.json by `npm run contracts:types`: do not edit; change the schema and regenerate.

/** 养老保险关系转移接续 (pension.transfer v1): Employee pension insurance transfer (国办发〔2009〕66号): the body of POST /api/v1/applications for service pension.transfer, accepted in the transfer-in province. Each transfer-out place becomes its own conversation (contact letter, information sheet and funds, merge). The same transfer-out place (region and person number) named twice is refused by code (VALIDATION_FAILED, field transferOut[i], code DUPLICATE); GB/T 2260 membership and the GB 32100 check character of a credit code are checked by code. Unknown fields are refused at intake (VALIDATION_FAILED): a typo must not pass silently. */
export interface PensionTransferRequestV1 {
  /** 事项编码: Service code: pension.transfer (养老保险关系转移接续). */
  readonly service: 'pension.transfer';
  /** 申请人: The insured worker who moves. */
  readonly applicant: {
    /** 身份证号码: Citizen ID number; also the social-security number. GB 11643, 18 characters (17 digits and a check character; lower-case x is accepted). The check character and birth date are verified by code (ID_NUMBER_INVALID). Taken as sent: a blank before, after or inside the number is refused (ID_NUMBER_INVALID), not trimmed. */
    readonly idNumber: string;
    /** 姓名: Full name as on the ID card. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly name: string;
    /** 联系电话: Contact phone: a mobile number (11 digits) or a landline with area code (e.g. 028-86671234). */
    readonly phone: string;
  };
  /** 险种: Which basic pension insurance moves. */
  readonly insuranceType: 'enterprise-employee' | 'public-institution';
  /** 转入地: GB/T 2260 code of the transfer-in region (转入地, where the worker is insured now): it decides the handling side (legs 1 and 3). Current or historic; membership is checked by code (REGION_UNKNOWN). */
  readonly transferInRegion: string;
  /** 转出地: The places the worker was insured at and moves away from (转出地), 1–5; each is its own conversation. Naming the same place (region and person number) twice is refused by code (DUPLICATE). */
  readonly transferOut: ReadonlyArray<{
    /** 转出地: GB/T 2260 code of the transfer-out region: it decides which node and agency answer the contact letter. Current or historic; membership is checked by code (REGION_UNKNOWN). */
    readonly region: string;
    /** 转出地经办机构: The transfer-out agency's name as on the contribution certificate, 2–100 characters. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly agencyName: string;
    /** 经办机构统一社会信用代码: The agency's unified social credit code (GB 32100), when known: 18 characters of 0-9 and A-Y without I, O, S, V, Z. The check character is verified by code (field code CREDIT_CODE_INVALID). */
    readonly agencyCreditCode?: string;
    /** 个人编号: The person's number at that agency (个人编号), 4–30 letters or digits. */
    readonly personNumber: string;
    /** 临时缴费账户: True when that place holds only a temporary contribution account (临时基本养老保险缴费账户). */
    readonly temporaryAccount?: boolean;
  }>;
  /** 参保缴费凭证编号: Reference of the contribution certificate (参保缴费凭证) the worker brought: 4–64 letters, digits, - or _. */
  readonly contributionCertificateRef: string;
  /** 材料清单: Scanned documents kept at the accepting window, named by type and SHA-256 (at most 20). */
  readonly materials: ReadonlyArray<{
    /** 材料类型: What the document is, a lower-case slug, e.g. id-card-copy, loss-report, death-certificate. */
    readonly type: string;
    /** 文件摘要: Lower-case hex SHA-256 of the scanned document. */
    readonly sha256: string;
  }>;
}
