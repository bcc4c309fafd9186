import { describe, expect, it } from "vitest";
import { isReservedName } from "../model/index.js";
import {
  decide,
  generationOf,
  isExpired,
  isoTime,
  leftovers,
  lockGenerations,
  newLease,
  parseDuration,
  parseLease,
  renderLease,
  SKEW_MS,
  LEASE_TTL_MS,
  stillTrusted,
  won,
} from "./lease.js";

const T0 = Date.parse("2026-11-27T10:00:00Z");
const lease = (token: string, nowMs = T0, extra: object = {}) =>
  renderLease({ ...newLease({ holder: `run ${token}`, token, operation: "apply", nowMs }), ...extra });

describe("lease decisions", () => {
  it("takes generation 1 of a workspace that was never locked", () => {
    expect(decide([], "me", T0)).toEqual({ kind: "take", generation: 1 });
  });

  it("reads only lock views, highest generation first, the legacy name as generation 0", () => {
    const generations = lockGenerations([
      { name: "tpctl_lock_2", description: lease("b") },
      { name: "events", description: "" },
      { name: "tpctl_lock", description: lease("legacy") },
      { name: "tpctl_lock_10", description: lease("c") },
      { name: "tpctl_lock_x", description: lease("d") },
    ]);
    expect(generations.map((generation) => generation.generation)).toEqual([10, 2, 0]);
    expect(generationOf("tpctl_lock_01")).toBeUndefined();
  });

  it("refuses a live lease of another run, and takes the next generation once it expired or was released", () => {
    const held = lockGenerations([{ name: "tpctl_lock_4", description: lease("other") }]);
    expect(decide(held, "me", T0 + 1_000)).toMatchObject({ kind: "held", generation: 4, lease: { holder: "run other" } });
    // Expired only once the skew margin has passed too.
    expect(decide(held, "me", T0 + LEASE_TTL_MS + SKEW_MS - 1).kind).toBe("held");
    expect(decide(held, "me", T0 + LEASE_TTL_MS + SKEW_MS)).toEqual({ kind: "take", generation: 5 });
    const released = lockGenerations([{ name: "tpctl_lock_4", description: lease("other", T0, { released: true }) }]);
    expect(decide(released, "me", T0)).toEqual({ kind: "take", generation: 5 });
  });

  it("counts an unreadable lease as expired, and recognises its own lease", () => {
    expect(decide(lockGenerations([{ name: "tpctl_lock_3", description: "garbage" }]), "me", T0)).toEqual({ kind: "take", generation: 4 });
    expect(decide(lockGenerations([{ name: "tpctl_lock_3", description: lease("me") }]), "me", T0)).toEqual({
      kind: "ours",
      generation: 3,
    });
  });

  it("has exactly one winner: the creator of the highest generation", () => {
    const listed = lockGenerations([
      { name: "tpctl_lock_5", description: lease("a") },
      { name: "tpctl_lock_4", description: lease("b") },
    ]);
    expect(won(listed, 5, "a")).toBe(true);
    expect(won(listed, 4, "b")).toBe(false);
    expect(leftovers(listed, 5).map((generation) => generation.name)).toEqual(["tpctl_lock_4"]);
  });

  it("stops trusting a lease before any taker may consider it expired", () => {
    const sentAt = T0;
    const expires = Date.parse(JSON.parse(lease("a", sentAt)).expires);
    expect(stillTrusted(sentAt, sentAt + LEASE_TTL_MS - SKEW_MS - 1)).toBe(true);
    expect(stillTrusted(sentAt, sentAt + LEASE_TTL_MS - SKEW_MS)).toBe(false);
    // Two skew margins apart: clocks may differ by up to SKEW_MS each way.
    const parsed = parseLease(lease("a", sentAt));
    expect(parsed && isExpired(parsed, expires + SKEW_MS - 1)).toBe(false);
  });

  it("reserves the lock's names", () => {
    expect(isReservedName("tpctl_lock")).toBe(true);
    expect(isReservedName("tpctl_lock_7")).toBe(true);
    expect(isReservedName("tpctl_locks")).toBe(false);
  });

  it("formats times exactly as Date does", () => {
    for (const ms of [0, 951_782_400_000, 1_709_164_799_999, T0, 4_102_444_800_123, 253_402_300_799_999]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it("parses durations as --lock-timeout takes them", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("5")).toBe(5_000);
    expect(parseDuration("-1s")).toBeUndefined();
    expect(parseDuration("soon")).toBeUndefined();
  });
});
