import { describe, expect, it } from "vitest";
import { AUDIT, expectCreatedAndReadBack, serverPerTest } from "../test-utils.js";

const t = serverPerTest();

const CONTENT = 'syntax = "proto3";\n\nmessage Car {\n  string cid = 1;  // id\n}\n';

describe("schemas", () => {
  it("creates (201), reads back the content byte for byte, replaces with PUT (200) and deletes (204)", async () => {
    const expected = {
      name: "cars",
      type: "Protobuf",
      content: CONTENT,
      ...AUDIT,
    };
    await expectCreatedAndReadBack(t, "/schemas", "/schemas/cars", { name: "cars", type: "Protobuf", content: CONTENT }, expected);

    const next = `${CONTENT}message Truck { string tid = 1; }\n`;
    expect(await t.call("PUT", "/schemas/cars", { name: "cars", type: "Protobuf", content: next })).toMatchObject({
      status: 200,
      body: { ...expected, content: next },
    });
    expect(await t.call("DELETE", "/schemas/cars")).toMatchObject({ status: 204 });
    expect(await t.call("GET", "/schemas/cars")).toMatchObject({
      status: 404,
      body: { code: 2003, message: "schema 'cars' doesn't exist", system: "proton" },
    });
  });

  it("refuses duplicates (2005), other types, missing fields, a PUT naming another schema and PATCH", async () => {
    await t.call("POST", "/schemas", { name: "cars", type: "Protobuf", content: CONTENT });
    expect(await t.call("POST", "/schemas", { name: "cars", type: "Protobuf", content: CONTENT })).toMatchObject({
      status: 400,
      body: { code: 2005, message: "schema 'cars' exists" },
    });
    expect(await t.call("POST", "/schemas", { name: "a", type: "Avro", content: CONTENT })).toMatchObject({
      status: 400,
      body: { code: 400, message: 'invalid request body: field "type" must be one of Protobuf, not "Avro"' },
    });
    expect(await t.call("POST", "/schemas", { name: "a", type: "Protobuf" })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: field "content" is required' },
    });
    expect(await t.call("PUT", "/schemas/cars", { name: "trucks", type: "Protobuf", content: CONTENT })).toMatchObject({
      status: 400,
      body: { message: 'invalid request body: name "trucks" does not match the path\'s "cars"' },
    });
    expect(await t.call("PUT", "/schemas/gone", { name: "gone", type: "Protobuf", content: CONTENT })).toMatchObject({ status: 404 });
    expect(await t.call("PATCH", "/schemas/cars", { content: CONTENT })).toMatchObject({ status: 405 });
  });
});
