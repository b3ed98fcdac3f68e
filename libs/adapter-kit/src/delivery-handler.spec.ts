import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "@nestjs/common";
import { RpcException } from "@nestjs/microservices";
import { ManualClock } from "#core";
import { linkProof } from "#delivery";
import { INTL_SUITE } from "#signing";
import type { AgencyDelivery, ForwardedRequest } from "#contracts";
import type { AgencyClient, AgencyHandOver } from "./agency-client.js";
import { AgencyCallError } from "./agency-errors.js";
import {
  handleDelivery,
  type DeliveryContext,
  type LookUpPolicy,
} from "./delivery-handler.js";
import { HandOverJournal } from "./hand-over-journal.js";
import { SealedDataOpener } from "./sealed-data-opener.js";

const SECRET = "delivery-handler-spec-link-secret-0123456789";
const CASE = "CQ-20261123-7K3F9ZQ2M8";
const MESSAGE = "019a0000-0000-7000-8000-000000000001";

const delivery: AgencyDelivery = {
  messageId: MESSAGE,
  agency: "SC.card",
  messageType: "ssc.apply.request",
  contractVersion: 1,
  caseId: CASE,
  forwarded: { caseId: CASE } as ForwardedRequest,
  proof: linkProof(SECRET, MESSAGE, INTL_SUITE),
};

/**
 * An agency that is NOT idempotent: every create is a new case. `cutShort` makes the next create
 * happen at the agency but its answer never arrive (a timeout, or the adapter dying meanwhile);
 * `refuse` makes the next create a refusal.
 */
function nonIdempotentAgency() {
  const created: string[] = [];
  const lookUps: string[] = [];
  const agency = { created, lookUps, cutShort: false, refuse: false };
  const client: AgencyClient = {
    agency: "SC.card",
    submit: async (forwarded): Promise<AgencyHandOver> => {
      if (agency.refuse) {
        agency.refuse = false;
        throw new AgencyCallError(
          "AGENCY_REFUSED",
          "SC.card refused: E0003",
        );
      }
      created.push(forwarded.caseId);
      const ref = `SCK${String(created.length).padStart(8, "0")}`;
      if (agency.cutShort) {
        agency.cutShort = false;
        throw new AgencyCallError(
          "AGENCY_UNAVAILABLE",
          "the agency system did not answer",
        );
      }
      return { agencyRef: ref, duplicate: false };
    },
    withdraw: async () => ({ agencyRef: "R", duplicate: false }),
    supplement: async () => ({ agencyRef: "R", duplicate: false }),
    lookUp: async (forwarded) => {
      lookUps.push(forwarded.caseId);
      const index = created.indexOf(forwarded.caseId);
      return index < 0
        ? null
        : {
            agencyRef: `SCK${String(index + 1).padStart(8, "0")}`,
            duplicate: true,
          };
    },
    fetchEvents: async () => ({ events: [] }),
  };
  return { agency, client };
}

describe("handleDelivery with its hand-over journal, at an agency that is not idempotent", () => {
  let dir: string;
  let opener: SealedDataOpener;
  let journals = 0;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dir = mkdtempSync(join(tmpdir(), "delivery-handler-"));
    opener = await SealedDataOpener.open(
      join(dir, "keys"),
      ["SC.card"],
      new ManualClock(),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function setUp(lookUp: LookUpPolicy = "in-doubt") {
    const { agency, client } = nonIdempotentAgency();
    const file = join(dir, `hand-overs-${(journals += 1)}.journal`);
    const context = (): DeliveryContext => ({
      clients: new Map([["SC.card", client]]),
      link: { secret: SECRET, suite: INTL_SUITE },
      opener,
      journal: HandOverJournal.open(file),
      lookUp,
    });
    return { agency, context };
  }

  it("answers a repeated delivery from the journal without calling the agency, also after a restart", async () => {
    const { agency, context } = setUp();
    const first = context();
    expect(await handleDelivery(delivery, first)).toEqual({
      messageId: MESSAGE,
      agencyRef: "SCK00000001",
      duplicate: false,
    });
    expect(await handleDelivery(delivery, first)).toEqual({
      messageId: MESSAGE,
      agencyRef: "SCK00000001",
      duplicate: true,
    });
    first.journal.close();
    const restarted = context();
    expect(await handleDelivery(delivery, restarted)).toEqual({
      messageId: MESSAGE,
      agencyRef: "SCK00000001",
      duplicate: true,
    });
    expect(agency.created).toEqual([CASE]);
    expect(agency.lookUps).toEqual([]);
  });

  it("looks a hand-over cut short up at the agency and, as the agency has the case, creates nothing again", async () => {
    const { agency, context } = setUp();
    agency.cutShort = true;
    const first = context();
    const failed = await handleDelivery(delivery, first).catch(
      (e: unknown) => e,
    );
    expect((failed as RpcException).getError()).toMatchObject({
      code: "AGENCY_UNAVAILABLE",
      permanent: false,
    });
    // The adapter dies: the journal holds the intent and no outcome.
    first.journal.close();
    const restarted = context();
    expect(await handleDelivery(delivery, restarted)).toEqual({
      messageId: MESSAGE,
      agencyRef: "SCK00000001",
      duplicate: true,
    });
    expect(await handleDelivery(delivery, restarted)).toEqual({
      messageId: MESSAGE,
      agencyRef: "SCK00000001",
      duplicate: true,
    });
    expect(agency.created).toEqual([CASE]);
    expect(agency.lookUps).toEqual([CASE]);
  });

  it("creates a hand-over in doubt that the agency does not have, once", async () => {
    const { agency, context } = setUp();
    const first = context();
    // An intent recorded, then the adapter died before it called the agency.
    first.journal.intend({
      messageId: MESSAGE,
      agency: "SC.card",
      caseId: CASE,
      messageType: "ssc.apply.request",
    });
    first.journal.close();
    const restarted = context();
    expect(await handleDelivery(delivery, restarted)).toEqual({
      messageId: MESSAGE,
      agencyRef: "SCK00000001",
      duplicate: false,
    });
    expect(agency.lookUps).toEqual([CASE]);
    expect(agency.created).toEqual([CASE]);
  });

  it("forgets a refused hand-over, so that a replay after the cause was fixed reaches the agency", async () => {
    const { agency, context } = setUp();
    agency.refuse = true;
    const c = context();
    const refused = await handleDelivery(delivery, c).catch((e: unknown) => e);
    expect((refused as RpcException).getError()).toMatchObject({
      code: "AGENCY_REFUSED",
      permanent: true,
    });
    expect(c.journal.known(MESSAGE)).toBeUndefined();
    expect(await handleDelivery(delivery, c)).toEqual({
      messageId: MESSAGE,
      agencyRef: "SCK00000001",
      duplicate: false,
    });
    expect(agency.lookUps).toEqual([]);
  });

  it("hands two deliveries of the same message arriving together to the agency once", async () => {
    const { agency, context } = setUp();
    const c = context();
    const [a, b] = await Promise.all([
      handleDelivery(delivery, c),
      handleDelivery(delivery, c),
    ]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(agency.created).toEqual([CASE]);
  });

  it("under the `always` policy looks up a new case this adapter has no record of (another instance may have handed it over)", async () => {
    const { agency, context } = setUp("always");
    agency.created.push(CASE);
    expect(await handleDelivery(delivery, context())).toEqual({
      messageId: MESSAGE,
      agencyRef: "SCK00000001",
      duplicate: true,
    });
    expect(agency.created).toEqual([CASE]);
  });
});
