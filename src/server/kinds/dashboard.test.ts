import { describe, expect, it } from "vitest";
import { AUDIT, expectCreatedAndReadBack, serverPerTest, testId } from "../test-utils.js";

const t = serverPerTest();

const CHART = {
  id: "p1",
  title: "Speed",
  position: { x: 0, y: 0, w: 6, h: 4, nextX: 6, nextY: 0 },
  viz_type: "chart",
  viz_content: "SELECT * FROM nowhere_yet",
  viz_config: { chartType: "line" },
};

describe("dashboards", () => {
  it("creates (201) with panels in full shape, without checking panel SQL", async () => {
    const expected = {
      id: testId(1),
      name: "Fleet",
      description: "",
      panels: [
        { ...CHART, description: "" },
        { id: "", title: "", description: "", position: {}, viz_type: "markdown", viz_content: "# Notes", viz_config: {} },
      ],
      ...AUDIT,
    };
    await expectCreatedAndReadBack(
      t,
      "/dashboards",
      `/dashboards/${testId(1)}`,
      { name: "Fleet", panels: [CHART, { viz_type: "markdown", viz_content: "# Notes" }] },
      expected,
    );
  });

  it("validates panels strictly", async () => {
    expect(await t.call("POST", "/dashboards", { name: "d", panels: [{ ...CHART, viz_type: "table" }] })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "panels[0].viz_type" must be one of chart, markdown, not "table"' },
    });
    expect(await t.call("POST", "/dashboards", { name: "d", panels: [{ ...CHART, position: { x: "0" } }] })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "panels[0].position.x" must be a number, not string "0"' },
    });
    expect(await t.call("POST", "/dashboards", { name: "d", panels: [CHART, CHART] })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: panel id "p1" is used by more than one panel' },
    });
    expect(await t.call("POST", "/dashboards", { name: "", panels: [] })).toMatchObject({ status: 400 });
    expect((await t.call("GET", "/dashboards")).body).toEqual([]);
  });

  it("replaces the whole body with PUT (200) and deletes (204)", async () => {
    await t.call("POST", "/dashboards", { name: "Fleet", description: "d", panels: [CHART] });
    const path = `/dashboards/${testId(1)}`;
    expect(await t.call("PUT", path, { name: "Fleet 2" })).toMatchObject({
      status: 200,
      body: { id: testId(1), name: "Fleet 2", description: "", panels: [] },
    });
    expect(await t.call("PATCH", path, { name: "x" })).toMatchObject({ status: 405 });
    expect(await t.call("DELETE", path)).toMatchObject({ status: 204 });
    expect(await t.call("GET", path)).toMatchObject({
      status: 404,
      body: { code: 404, message: `dashboard with id '${testId(1)}' not found` },
    });
    expect(await t.call("PUT", path, { name: "x" })).toMatchObject({ status: 404 });
  });
});
