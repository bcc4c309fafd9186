import { describe, expect, it } from "vitest";
import { ApiError } from "../../errors.js";
import { engineError, maskApiError, rowsFromEngineJson, rowsFromExec, text, textArray } from "./decode.js";

describe("row decoding", () => {
  it("reads /exec's {columns, data} by column name", () => {
    const rows = rowsFromExec({
      columns: [
        { name: "name", type: "string" },
        { name: "n", type: "uint64" },
      ],
      data: [
        ["a", 1],
        ["b", null],
      ],
    });
    expect(rows).toEqual([
      { name: "a", n: 1 },
      { name: "b", n: null },
    ]);
    expect(rowsFromExec(undefined)).toEqual([]);
    // A short row reads null for what it lacks; a column named __proto__ is a column, not a prototype.
    const [short] = rowsFromExec({ columns: [{ name: "a" }, { name: "b" }], data: [["x"]] });
    expect(short).toEqual({ a: "x", b: null });
    const [odd] = rowsFromExec({ columns: [{ name: "__proto__" }], data: [[{ polluted: true }]] });
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
    expect(Object.keys(odd!)).toEqual(["__proto__"]);
    expect(rowsFromExec({ columns: "x", data: [] })).toEqual([]);
  });

  it("reads the engine's JSONCompact, 64-bit integers quoted, arrays kept", () => {
    const body = JSON.stringify({
      meta: [{ name: "name" }, { name: "dependencies_table", type: "array(string)" }, { name: "total", type: "uint64" }],
      data: [["s", ["v", "mv"], "18446744073709551615"]],
      rows: 1,
    });
    const [row] = rowsFromEngineJson(body);
    expect(row).toBeDefined();
    expect(text(row!, "name")).toBe("s");
    expect(textArray(row!, "dependencies_table")).toEqual(["v", "mv"]);
    expect(text(row!, "total")).toBe("18446744073709551615");
    expect(text(row!, "missing")).toBe("");
    expect(rowsFromEngineJson("")).toEqual([]);
    expect(() => rowsFromEngineJson("Ok.")).toThrow();
  });
});

describe("engine errors", () => {
  it("reads the code from the header and the text from the Code: N. DB::Exception body", () => {
    const error = engineError({
      status: 500,
      codeHeader: "57",
      text: "Code: 57. DB::Exception: Stream default.s already exists. (STREAM_ALREADY_EXISTS) (version 3.0.0-tpctl)\n",
      path: "/",
      secrets: [],
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.apiCode).toBe(57);
    expect(error.status).toBe(500);
    expect(error.apiMessage).toBe("Stream default.s already exists");
    expect(error.message).toBe("POST / failed with HTTP 500 (code 57): Stream default.s already exists");
  });

  it("falls back on the body's code without the header, and on the raw text without either", () => {
    expect(
      engineError({
        status: 400,
        codeHeader: undefined,
        text: "Code: 62. DB::Exception: Syntax error: failed at position 1. (SYNTAX_ERROR)",
        path: "/",
        secrets: [],
      }).apiCode,
    ).toBe(62);
    const odd = engineError({ status: 502, codeHeader: undefined, text: "Bad Gateway", path: "/", secrets: [] });
    expect([odd.apiCode, odd.apiMessage]).toEqual([undefined, "Bad Gateway"]);
  });

  it("masks secrets the engine echoes, raw or escaped", () => {
    const error = engineError({
      status: 500,
      codeHeader: "36",
      text: "Code: 36. DB::Exception: bad setting in CREATE EXTERNAL STREAM e SETTINGS type = 'kafka', password = 'it\\'s-s3cret'. (BAD_ARGUMENTS)",
      path: "/",
      secrets: ["it's-s3cret"],
    });
    expect(error.message).not.toContain("s3cret");
    expect(error.message).toContain("password = '***'");
  });

  it("masks secrets in an /exec refusal", () => {
    const original = new ApiError({ method: "POST", path: "/exec", status: 400, apiCode: 36, apiMessage: "auth_key 'hunter2' refused" });
    const masked = maskApiError(original, ["hunter2"]);
    expect(masked.message).not.toContain("hunter2");
    expect([masked.apiCode, masked.status]).toEqual([36, 400]);
    expect(maskApiError(original, [])).toBe(original);
  });
});
