// The kit's own stacks, day two (issue 18 items 6 and 7): what a destroy keeps and empties, and who the
// alarms reach, read from the offline evaluation (retainOnDelete is the engine's, recorded per resource).
import { beforeAll, describe, expect, it } from "vitest";
import { planStack, type StackPlan } from "../plan/planStack";
import { planWarnings } from "../plan/warnings";
import type { PlannedResource } from "../plan/evaluate";
import { unwrapSecrets } from "../policy/lib/engineValues";

let defaults: StackPlan;
let dropAll: StackPlan;
let level2: StackPlan;
beforeAll(async () => {
  defaults = await planStack("level1");
  dropAll = await planStack("level1", {
    overrides: ["teardown={keepAuditTrail: false, keepBackups: false, secretRecoveryDays: 0}", "alarmSubscriptions=[{protocol: https, endpoint: 'https://events.pagerduty.com/x'}]"],
  });
  level2 = await planStack("level2");
}, 180_000);

const named = (p: StackPlan, name: string): PlannedResource => {
  const r = p.evaluation.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  return r;
};
const ofType = (p: StackPlan, type: string) => p.evaluation.resources.filter((r) => r.type === type);
const input = (r: PlannedResource, key: string) => unwrapSecrets(r.inputs[key]);

describe("teardown: what pulumi destroy keeps", () => {
  it("by default keeps the trail bucket with its lifecycle, policy and encryption, and both keys", () => {
    const trail = named(defaults, "gw-audit-trail");
    expect([trail.retainOnDelete, input(trail, "forceDestroy")]).toEqual([true, false]);
    for (const child of ["gw-audit-trail-lifecycle", "gw-audit-trail-policy", "gw-audit-trail-sse", "gw-audit-trail-versions", "gw-audit-trail-private", "gw-audit-trail-owner"]) {
      expect(named(defaults, child).retainOnDelete, child).toBe(true);
    }
    expect(named(defaults, "gw-keys-logs").retainOnDelete).toBe(true);
    expect(named(defaults, "gw-keys-data").retainOnDelete).toBe(true);
  });

  it("always empties the bundle bucket: it holds only what the program renders again", () => {
    for (const p of [defaults, dropAll]) {
      const bundle = named(p, "gw-host-bundle-bucket");
      expect([bundle.retainOnDelete ?? false, input(bundle, "forceDestroy")]).toEqual([false, true]);
    }
  });

  it("keeps every credential restorable for 7 days by default, and frees the names at once with secretRecoveryDays 0", () => {
    const windows = (p: StackPlan) => Object.fromEntries(ofType(p, "aws:secretsmanager/secret:Secret").map((s) => [s.name, input(s, "recoveryWindowInDays")]));
    expect(windows(defaults)).toMatchObject({ "gw-token-secret": 7, "gw-anthropic-key-secret": 7 });
    expect(windows(dropAll)).toMatchObject({ "gw-token-secret": 0, "gw-anthropic-key-secret": 0 });
    // The tailnet join secret is the Tailscale component's (the host part of issue 18): still 7 days.
    expect(windows(dropAll)["gw-tailnet-join"]).toBe(7);
  });

  it("with keepAuditTrail and keepBackups false, empties the trail bucket and lets both keys be scheduled for deletion", () => {
    const trail = named(dropAll, "gw-audit-trail");
    expect([trail.retainOnDelete, input(trail, "forceDestroy")]).toEqual([false, true]);
    expect(named(dropAll, "gw-audit-trail-lifecycle").retainOnDelete).toBe(false);
    expect(named(dropAll, "gw-keys-logs").retainOnDelete).toBe(false);
    expect(named(dropAll, "gw-keys-data").retainOnDelete).toBe(false);
  });
});

describe("alarms reach a person", () => {
  const subscriptions = (p: StackPlan) => ofType(p, "aws:sns/topicSubscription:TopicSubscription").map((s) => [input(s, "protocol"), input(s, "endpoint"), input(s, "endpointAutoConfirms")]);

  it("level 2 subscribes its alarmEmail; the example's placeholder is what the plan warns about", () => {
    expect(subscriptions(level2)).toEqual([["email", "security-oncall@example.com", undefined]]);
    expect(planWarnings(level2.model, level2.evaluation.resources)).toEqual([
      "clawkeep:alarmEmail security-oncall@example.com is a placeholder that receives nothing: this plan accepts it, `pulumi preview` and `pulumi up` refuse it",
      'e-mail subscribers get nothing until they confirm AWS\'s "Subscription Confirmation" message (README: Alarms)',
    ]);
  });

  it("level 1 without a subscriber is planned, and the plan says its alarms reach no one", () => {
    expect(subscriptions(defaults)).toEqual([]);
    expect(planWarnings(defaults.model, defaults.evaluation.resources)).toEqual([expect.stringMatching(/^alarms reach no one: the stack sets no alarmEmail or alarmSubscriptions/)]);
  });

  it("an https subscriber must confirm itself, so pulumi up fails visibly when it cannot", () => {
    expect(subscriptions(dropAll)).toEqual([["https", "https://events.pagerduty.com/x", true]]);
    const sub = ofType(dropAll, "aws:sns/topicSubscription:TopicSubscription")[0];
    expect(sub.name).toMatch(/^gw-alerts-https-[0-9a-f]{8}$/);
    expect(sub.name).not.toContain("pagerduty");
  });
});

describe("README: the connect command works for an Operator", () => {
  it("every start-session in README names the kit's session document, as the connect output does", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const { sessionDocumentName } = await import("../components/access/sessionPreferences");
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const commands = [...readme.matchAll(/aws ssm start-session(?:[^\n`\\]|\\\n)*/g)].map((m) => m[0]);
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands.filter((c) => c.includes("--target"))) expect(c, c).toContain(`--document-name ${sessionDocumentName("level1", "gw")}`);
    expect(fs.readFileSync(path.join(__dirname, "..", "index.ts"), "utf8")).toMatch(/export const connect = pulumi\.interpolate`aws ssm start-session --target \$\{cell\.instanceId\} --document-name \$\{cell\.sessionDocumentName\}/);
  });
});
