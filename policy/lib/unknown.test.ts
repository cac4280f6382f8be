// The fail-closed contract from a rule's side: a value the offline plan cannot know is a blind spot
// when the rule needs it, and no blind spot when the rule reads it through `untracked` because the
// question is not about the program (how strong an operator's `config set --secret` value is).
import { describe, expect, it } from "vitest";
import { judge, verdictOf } from "../judge";
import { unknownValue, untracked } from "./unknown";

const resource = (type: string, name: string, inputs: Record<string, unknown>) => ({
  urn: `urn:pulumi:dev::p::${type}::${name}`,
  type,
  name,
  inputs,
  state: inputs,
  dependencies: [],
});
const SSM = "aws:ssm/parameter:Parameter";
const fromConfig = unknownValue("the value of secret config program:gatewayToken");

describe("untracked reads", () => {
  it("return the object itself outside the judge", () => {
    const plain = { a: 1 };
    expect(untracked(plain)).toBe(plain);
    expect(untracked("x")).toBe("x");
  });

  it("let a SecureString set from secret config pass, while its strength is still judged when the program spells it", () => {
    const fromConfigParam = judge({ resources: [resource(SSM, "secure", { name: "/gw/gateway-token", type: "SecureString", value: fromConfig })] });
    expect(verdictOf(fromConfigParam).status).toBe("pass");
    const weak = judge({ resources: [resource(SSM, "weak", { name: "/gw/gateway-token", type: "SecureString", value: "openclaw123" })] });
    expect(weak.violations.map((v) => v.message)).toEqual(['value of the SecureString parameter "/gw/gateway-token" is a human-chosen (weak) value']);
  });

  it("keep a plain parameter, and a secretString kept in state, blind when their value is unknown", () => {
    const plain = judge({ resources: [resource(SSM, "plain", { name: "/gw/gateway-token", type: "String", value: fromConfig })] });
    expect(plain.blind.map((b) => b.rule)).toEqual(["no-plaintext-secrets"]);
    const version = judge({ resources: [resource("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretId: "s", secretString: fromConfig })] });
    expect(version.blind.map((b) => b.rule)).toEqual(["no-credential-in-state"]);
    expect(verdictOf(version).status).toBe("cannot-judge");
  });
});
