// The filter-pattern matcher against the examples of AWS's FilterAndPatternSyntax and
// matching-terms-json-log-events pages, including the cases that must not match.
import { describe, expect, it } from "vitest";
import { matchesFilterPattern, parseFilterPattern } from "./filterPattern";

const cloudTrail = JSON.stringify({
  eventType: "UpdateTrail",
  sourceIPAddress: "123.123.0.9",
  arrayKey: ["value", "another value"],
  objectList: [{ name: "a", id: 1 }],
  bandwidth: 75,
  latency: 20,
  user: { id: 1, email: "John.Stiles@example.com" },
  hasError: false,
  nothing: null,
});

describe("term patterns", () => {
  it("needs every plain term, case-sensitively, as a substring", () => {
    expect(matchesFilterPattern('"ERROR" "MainThread"', "2024 ERROR in MainThread: boom")).toBe(true);
    expect(matchesFilterPattern('"ERROR" "MainThread"', "2024 ERROR in WorkerThread")).toBe(false);
    expect(matchesFilterPattern("ERROR", "error: lower case")).toBe(false);
    expect(matchesFilterPattern('"TCP_DENIED"', "1 0 127.0.0.1 TCP_DENIED/403 3900 CONNECT evil.example:443 - HIER_NONE/- text/html")).toBe(true);
  });

  it("takes any ?term, and drops lines with a -term", () => {
    expect(matchesFilterPattern("?ERROR ?WARN", "WARN disk low")).toBe(true);
    expect(matchesFilterPattern("?ERROR ?WARN", "INFO all good")).toBe(false);
    expect(matchesFilterPattern('"ERROR" -"Exiting"', "ERROR Exiting now")).toBe(false);
    expect(matchesFilterPattern('"ERROR" -"Exiting"', "ERROR retrying")).toBe(true);
  });

  it("keeps quoted phrases together", () => {
    expect(matchesFilterPattern('"CONNECT api.anthropic.com:443"', "x CONNECT api.anthropic.com:443 -")).toBe(true);
    expect(matchesFilterPattern('"CONNECT api.anthropic.com:443"', "x CONNECT evil.example:443 api.anthropic.com:443")).toBe(false);
  });
});

describe("JSON patterns", () => {
  it("compares strings exactly, or with * wildcards", () => {
    expect(matchesFilterPattern('{ $.eventType = "UpdateTrail" }', cloudTrail)).toBe(true);
    expect(matchesFilterPattern('{ $.eventType = "Update" }', cloudTrail)).toBe(false);
    expect(matchesFilterPattern('{ $.eventType = "Update*" }', cloudTrail)).toBe(true);
    expect(matchesFilterPattern("{ $.sourceIPAddress != 123.123.* }", cloudTrail)).toBe(false);
    expect(matchesFilterPattern("{ $.sourceIPAddress != 10.0.* }", cloudTrail)).toBe(true);
    expect(matchesFilterPattern('{ $.user.email = "John.Stiles@example.com" }', cloudTrail)).toBe(true);
  });

  it("compares numbers, booleans, null and missing fields", () => {
    expect(matchesFilterPattern("{ $.bandwidth > 75 }", cloudTrail)).toBe(false);
    expect(matchesFilterPattern("{ $.bandwidth >= 75 }", cloudTrail)).toBe(true);
    expect(matchesFilterPattern("{ $.latency < 50 && $.bandwidth = 75 }", cloudTrail)).toBe(true);
    expect(matchesFilterPattern("{ $.hasError IS FALSE }", cloudTrail)).toBe(true);
    expect(matchesFilterPattern("{ $.hasError IS TRUE }", cloudTrail)).toBe(false);
    expect(matchesFilterPattern("{ $.nothing IS NULL }", cloudTrail)).toBe(true);
    expect(matchesFilterPattern("{ $.nowhere NOT EXISTS }", cloudTrail)).toBe(true);
    expect(matchesFilterPattern("{ $.user NOT EXISTS }", cloudTrail)).toBe(false);
    expect(matchesFilterPattern('{ $.nowhere = "x" }', cloudTrail)).toBe(false);
  });

  it("combines with && over ||, and parentheses", () => {
    expect(matchesFilterPattern('{ $.eventType = "Nope" || $.bandwidth = 75 && $.latency = 20 }', cloudTrail)).toBe(true);
    expect(matchesFilterPattern('{ ($.eventType = "Nope" || $.bandwidth = 75) && $.latency = 21 }', cloudTrail)).toBe(false);
  });

  it("never matches a line that is not JSON", () => {
    expect(matchesFilterPattern('{ $.message = "unauthorized*" }', "unauthorized conn=1")).toBe(false);
  });

  it("rejects syntax outside the supported subset instead of guessing", () => {
    for (const bad of ["{ $.a = }", '{ $.a ~ "x" }', '{ $.a > "x" }', '{ $.a = "x"', "?a b", "{ a = 1 }"]) {
      expect(() => parseFilterPattern(bad), bad).toThrow(/filter pattern/);
    }
  });
});

describe("space-delimited patterns", () => {
  // AWS's own example event (FilterAndPatternSyntax, "Using metric filters to extract values from space-delimited events").
  const event = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534';
  const fields = "ip, user, username, timestamp, request";

  it("reads quoted and bracketed text as one field, and needs as many fields as the event has", () => {
    expect(matchesFilterPattern(`[${fields}, status_code, bytes]`, event)).toBe(true);
    expect(matchesFilterPattern(`[${fields}, status_code]`, event)).toBe(false);
    expect(matchesFilterPattern(`[${fields}, status_code, bytes, extra]`, event)).toBe(false);
    expect(matchesFilterPattern(`[${fields} = "*apache_pb*", status_code, bytes]`, event)).toBe(true);
  });

  it("compares strings with = and != (with * wildcards) and numbers, ORs with ||, ANDs with &&", () => {
    expect(matchesFilterPattern(`[${fields}, status_code = 2*, bytes > 1000]`, event)).toBe(true);
    expect(matchesFilterPattern(`[${fields}, status_code = 4* || status_code = 5*, bytes]`, event)).toBe(false);
    expect(matchesFilterPattern(`[${fields}, status_code = 4* || status_code = 200, bytes]`, event)).toBe(true);
    expect(matchesFilterPattern(`[ip != "127.0.0.1", user, username, timestamp, request, status_code, bytes]`, event)).toBe(false);
    expect(matchesFilterPattern(`[${fields}, status_code >= 200 && status_code < 300, bytes]`, event)).toBe(true);
    expect(matchesFilterPattern(`[${fields}, status_code, bytes < 1000]`, event)).toBe(false);
  });

  it("rejects syntax outside the supported subset instead of guessing", () => {
    for (const bad of ["[ip, ...]", "[a = ]", '[a = "x" || b = "y"]', '[a > "x"]', "[a", "[]"]) {
      expect(() => parseFilterPattern(bad), bad).toThrow(/filter pattern/);
    }
  });
});
