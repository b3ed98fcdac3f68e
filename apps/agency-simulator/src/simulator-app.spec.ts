import { ManualClock } from "#core";
import { createSimulatorApp } from "./simulator-app.js";

const CASE = "CQ-20261123-7K3F9ZQ2M8";
const MESSAGE = "019a0000-0000-7000-8000-000000000009";

describe("agency simulator logs and idempotence", () => {
  async function sichuan(options: { idempotent?: boolean } = {}) {
    const lines: string[] = [];
    const { app, simulator } = await createSimulatorApp({
      province: "SC",
      clock: new ManualClock(),
      stepMs: 1000,
      rejectRate: 0,
      seed: 1,
      logs: true,
      logDestination: { write: (line: string) => lines.push(line) },
      ...options,
    });
    // Over real HTTP: Fastify's inject loads a CommonJS module that Jest's ESM mode refuses.
    await app.listen(0, "127.0.0.1");
    const base = await app.getUrl();
    const get = (path: string) =>
      fetch(`${base.replace("[::1]", "127.0.0.1")}${path}`);
    const apply = () =>
      fetch(`${base.replace("[::1]", "127.0.0.1")}/sim/sc/card/applications`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          ywxtbh: CASE,
          qqlsh: MESSAGE,
          aac002: "510104199001011234",
          aac003: "张三",
          aae005: "13800138000",
          sqlx: "03",
          fkdq: "510104",
          yjdz: "成都市锦江区",
          zpbh: "PHOTO-1",
        }),
      });
    return { app, simulator, lines, apply, get };
  }

  it("logs each request and decision as one JSON object per line with caseNumber (and messageId for a request), never personal data", async () => {
    const { app, lines, apply } = await sichuan();
    try {
      expect((await apply()).status).toBe(200);
      const records = lines
        .join("")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records.find((r) => r["msg"] === "request")).toMatchObject({
        app: "agency-simulator",
        node: "SC",
        caseNumber: CASE,
        messageId: MESSAGE,
        status: 200,
      });
      expect(records.find((r) => r["msg"] === "case opened")).toMatchObject({
        caseNumber: CASE,
        system: "SC.card",
        service: "ssc.apply",
      });
      expect(records.find((r) => r["msg"] === "stage")).toMatchObject({
        caseNumber: CASE,
        stage: "eligibility-check",
      });
      expect(lines.join("")).not.toContain("张三");
      expect(lines.join("")).not.toContain("510104199001011234");
    } finally {
      await app.close();
    }
  });

  it("takes a repeated create as a second case when not idempotent (SIM_IDEMPOTENT=false), and answers the look-up by case number (ywcx)", async () => {
    const { app, simulator, apply, get } = await sichuan({ idempotent: false });
    try {
      const missing = await get(`/sim/sc/card/ywcx?ywxtbh=${CASE}`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ code: "E0404" });
      const first = (await (await apply()).json()) as {
        data: { slh: string; cf: boolean };
      };
      const second = (await (await apply()).json()) as {
        data: { slh: string; cf: boolean };
      };
      expect(second.data.cf).toBe(false);
      expect(second.data.slh).not.toBe(first.data.slh);
      expect(simulator.caseCount(CASE)).toBe(2);
      expect(simulator.stats().repeats).toBe(1);
      const found = await get(`/sim/sc/card/ywcx?ywxtbh=${CASE}`);
      expect(await found.json()).toEqual({
        code: "0000",
        msg: "成功",
        data: { slh: first.data.slh },
      });
    } finally {
      await app.close();
    }
  });
});
