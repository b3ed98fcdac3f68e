import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayError, ManualClock } from "#core";
import { HandOverJournal } from "./hand-over-journal.js";

const CASE = "CQ-20261123-7K3F9ZQ2M8";
const hour = 3600_000;

describe("HandOverJournal", () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hand-over-journal-"));
    file = join(dir, "state", "hand-overs.journal");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const intent = (messageId: string) => ({
    messageId,
    agency: "SC.card",
    caseId: CASE,
    messageType: "ssc.apply.request",
  });

  it("keeps intents and outcomes across a restart: an outcome is known, an intent without one is in doubt", () => {
    const journal = HandOverJournal.open(file, { clock: new ManualClock() });
    journal.intend(intent("m-1"));
    journal.settle("m-1", "SCK00000001");
    journal.intend(intent("m-2"));
    journal.close();

    const again = HandOverJournal.open(file, { clock: new ManualClock() });
    expect(again.known("m-1")?.outcome?.agencyRef).toBe("SCK00000001");
    expect(again.known("m-2")).toMatchObject({
      caseId: CASE,
      agency: "SC.card",
    });
    expect(again.known("m-2")?.outcome).toBeUndefined();
    expect(again.known("m-3")).toBeUndefined();
    again.close();
  });

  it("forgets a hand-over the agency refused (dropped), also after a restart", () => {
    const journal = HandOverJournal.open(file);
    journal.intend(intent("m-1"));
    journal.drop("m-1");
    journal.close();
    const again = HandOverJournal.open(file);
    expect(again.known("m-1")).toBeUndefined();
    again.close();
  });

  it("ignores a last line cut short by a crash, and refuses to start on an unreadable line before it (ADAPTER_STATE_CORRUPT)", () => {
    const journal = HandOverJournal.open(file);
    journal.intend(intent("m-1"));
    journal.close();
    appendFileSync(file, '{"t":"outcome","id":"m-1","re');
    const torn = HandOverJournal.open(file);
    expect(torn.known("m-1")?.outcome).toBeUndefined();
    torn.close();

    writeFileSync(file, `not json\n${readFileSync(file, "utf8")}`);
    let refused: unknown;
    try {
      HandOverJournal.open(file);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).code).toBe("ADAPTER_STATE_CORRUPT");
  });

  it("drops records past their retention when it compacts (at start), keeping the recent ones", () => {
    const clock = new ManualClock();
    const journal = HandOverJournal.open(file, {
      clock,
      retentionMs: 24 * hour,
    });
    journal.intend(intent("old"));
    journal.settle("old", "SCK00000001");
    clock.advance(20 * hour);
    journal.intend(intent("recent"));
    journal.settle("recent", "SCK00000002");
    journal.close();

    clock.advance(5 * hour);
    const again = HandOverJournal.open(file, { clock, retentionMs: 24 * hour });
    expect(again.known("old")).toBeUndefined();
    expect(again.known("recent")?.outcome?.agencyRef).toBe("SCK00000002");
    expect(again.size).toBe(1);
    again.close();
    // The file holds only what is in force: one intent and its outcome.
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("runs a second delivery of the same message only after the first has finished", async () => {
    const journal = HandOverJournal.open(file);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = journal.exclusive("m-1", async () => {
      order.push("first starts");
      await held;
      order.push("first ends");
    });
    const second = journal.exclusive("m-1", async () => {
      order.push("second");
    });
    await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first starts", "first ends", "second"]);
    journal.close();
  });
});
