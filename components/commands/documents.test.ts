import { describe, expect, it } from "vitest";
import {
  DocumentParameterError,
  commandDocumentName,
  gatewayDocument,
  gatewayParameters,
  pickupDocument,
  pickupEventInput,
  pickupParameters,
  renderCommands,
  validateParameters,
} from "./documents";

const VERSION = "0f3c9a2e-7b1d-4c5e-9a8b-1234567890ab";

describe("the kit's Command documents", () => {
  it("are named per cell, one aws:runShellScript step each, Linux only", () => {
    expect(commandDocumentName("level1", "gw", "pickup")).toBe("clawkeep-level1-gw-pickup");
    for (const doc of [pickupDocument(), gatewayDocument()]) {
      expect(doc.schemaVersion).toBe("2.2");
      expect(doc.mainSteps).toHaveLength(1);
      expect(doc.mainSteps[0]).toMatchObject({ action: "aws:runShellScript", precondition: { StringEquals: ["platformType", "Linux"] } });
      // Every parameter is bounded: a pattern or a list of values.
      for (const [name, p] of Object.entries(doc.parameters)) expect(Boolean(p.allowedPattern) || Boolean(p.allowedValues), name).toBe(true);
    }
  });

  it("take a version id or current, install or test, and nothing else", () => {
    expect(validateParameters(pickupDocument(), {})).toEqual({ versionId: "current", mode: "install", executionTimeout: "600" });
    expect(validateParameters(pickupDocument(), pickupParameters(VERSION, "test", 400))).toEqual({ versionId: VERSION, mode: "test", executionTimeout: "400" });
    const refused: Array<Record<string, string[]>> = [
      { versionId: [`x'; id; '`] },
      { versionId: ["$(reboot)"] },
      { versionId: ["current; reboot"] },
      { versionId: ["a".repeat(65)] },
      { mode: ["shell"] },
      { commands: ["id"] },
      { versionId: [VERSION, VERSION] },
      { executionTimeout: ["5"] },
    ];
    for (const p of refused) expect(() => validateParameters(pickupDocument(), p), JSON.stringify(p)).toThrow(DocumentParameterError);
  });

  it("like SSM's Java patterns, let one trailing newline through: it stays inside single quotes, as data", () => {
    const values = validateParameters(pickupDocument(), { versionId: ["current\n"] });
    const script = renderCommands(pickupDocument(), values);
    expect(script).toContain("version='current\n' mode='install'");
  });

  it("substitute the values into the fixed script, quoted", () => {
    const script = renderCommands(pickupDocument(), validateParameters(pickupDocument(), pickupParameters(VERSION, "install", 600)));
    expect(script.split("\n")).toEqual([
      "set -eu",
      `version='${VERSION}' mode='install'`,
      "set --",
      'if [ "$version" != current ]; then set -- --version-id "$version"; fi',
      'if [ "$mode" = test ]; then set -- "$@" --test; fi',
      'exec /usr/local/libexec/clawkeep/pickup-token "$@"',
    ]);
    expect(pickupDocument().mainSteps[0].inputs.timeoutSeconds).toBe("{{ executionTimeout }}");
  });

  it("start, stop or restart the gateway unit and nothing else", () => {
    expect(renderCommands(gatewayDocument(), validateParameters(gatewayDocument(), gatewayParameters("stop")))).toContain("exec systemctl \"$action\" openclaw-gateway.service");
    for (const bad of ["kill", "stop; reboot", "disable"]) expect(() => validateParameters(gatewayDocument(), { action: [bad] }), bad).toThrow(/allowed: start, stop, restart/);
  });

  it("EventBridge sends a constant bare pickup: no event field reaches the host", () => {
    expect(JSON.parse(pickupEventInput())).toEqual({ versionId: ["current"], mode: ["install"], executionTimeout: ["600"] });
    expect(pickupEventInput()).not.toMatch(/[<$]/);
  });
});
