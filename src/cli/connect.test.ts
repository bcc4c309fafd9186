import { describe, expect, it } from "vitest";
import { printableAddress } from "./connect.js";

describe("printableAddress", () => {
  it("drops user info, query and fragment, which may hold credentials", () => {
    expect(printableAddress("https://admin:s3cret@tp.internal:8000/timeplus/?token=abc#x")).toBe("https://tp.internal:8000/timeplus");
    expect(printableAddress("http://localhost:8000")).toBe("http://localhost:8000");
    expect(printableAddress("not a url s3cret")).toBe("(an address that is not a URL)");
  });
});
