// Generated from contracts/schemas/death-benefit.v1.schema.json by `npm run contracts:types`: do not edit; change the schema and regenerate.

/** 城乡居保死亡待遇申领 (pension.death-benefit v1): Resident pension death benefit (account balance and funeral grant): the body of POST /api/v1/applications for service pension.death-benefit. The claim window (30 days from death unless configured otherwise; CLAIM_WINDOW_EXPIRED), a death date in the future (DATE_INVALID) and a claimant who is the deceased are checked by code. Unknown fields are refused at intake (VALIDATION_FAILED): a typo must not pass silently. */
export interface DeathBenefitRequestV1 {
  /** 事项编码: Service code: pension.death-benefit (城乡居保死亡待遇申领). */
  readonly service: 'pension.death-benefit';
  /** 逝者: The deceased pensioner or insured person. */
  readonly deceased: {
    /** 逝者身份证号码: Citizen ID number of the deceased. GB 11643, 18 characters (17 digits and a check character; lower-case x is accepted). The check character and birth date are verified by code (ID_NUMBER_INVALID). Taken as sent: a blank before, after or inside the number is refused (ID_NUMBER_INVALID), not trimmed. */
    readonly idNumber: string;
    /** 逝者姓名: Full name of the deceased. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly name: string;
  };
  /** 死亡日期: Date of death; not in the future. YYYY-MM-DD, a real calendar day (DATE_INVALID otherwise). */
  readonly dateOfDeath: string;
  /** 死亡证明: The document proving the death. */
  readonly deathProof: {
    /** 证明类型: Kind of proof. */
    readonly type: 'death-certificate' | 'cremation-certificate' | 'hukou-cancellation' | 'court-declaration';
    /** 证明编号: Number of the proof: 4–64 letters, digits, - or _. */
    readonly ref: string;
  };
  /** 申领人: Who claims: a legal heir, a designated beneficiary, or an agent acting for one. Not the deceased. */
  readonly claimant: {
    /** 身份证号码: Citizen ID number; also the social-security number. GB 11643, 18 characters (17 digits and a check character; lower-case x is accepted). The check character and birth date are verified by code (ID_NUMBER_INVALID). Taken as sent: a blank before, after or inside the number is refused (ID_NUMBER_INVALID), not trimmed. */
    readonly idNumber: string;
    /** 姓名: Full name as on the ID card. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly name: string;
    /** 联系电话: Contact phone: a mobile number (11 digits) or a landline with area code (e.g. 028-86671234). */
    readonly phone: string;
    /** 申领人身份: Role of the claimant. */
    readonly role: 'legal-heir' | 'designated-beneficiary' | 'agent';
    /** 与逝者关系: Relation to the deceased. */
    readonly relation: 'spouse' | 'child' | 'parent' | 'sibling' | 'grandchild' | 'other';
  };
  /** 参保地: Insured region of the deceased: it decides the handling side. A GB/T 2260 code, current or historic; membership is checked by code (REGION_UNKNOWN). */
  readonly insuredRegion: string;
  /** 收款账户: The claimant's bank account the balance and funeral grant are paid to. */
  readonly payeeAccount: {
    /** 开户银行: Bank and branch, 2–60 characters. No control characters, U+FFFD, lone surrogates or bidirectional embeddings, overrides and isolates (TEXT_CHARACTERS_INVALID). */
    readonly bankName: string;
    /** 银行账号: Account number, 12–30 digits. */
    readonly accountNumber: string;
  };
  /** 材料清单: Scanned documents kept at the accepting window, named by type and SHA-256 (at most 20). */
  readonly materials: ReadonlyArray<{
    /** 材料类型: What the document is, a lower-case slug, e.g. id-card-copy, loss-report, death-certificate. */
    readonly type: string;
    /** 文件摘要: Lower-case hex SHA-256 of the scanned document. */
    readonly sha256: string;
  }>;
}
