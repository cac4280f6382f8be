// Protects: the other OpenClaw rules' verdicts. A config that cannot be decoded or parsed cannot be
// judged, and OpenClaw itself refuses an invalid config (exit 78); a config that pulls in a file this
// resource does not deliver ($include), or whose bytes are not visible offline, cannot be judged here.
// Checklist: best practice 7, gradual trust; "File system sandboxing configured" (both need a readable config).
// Fix: deliver openclaw.json (JSON5) and every file it includes with the resource, in a decodable form.
import { OPENCLAW_TYPES, openclawSetup, openclawUnseen, shipsOpenclaw } from "../lib/openclaw";
import type { ResourceRule } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { hostPayload } from "../lib/userData";

export const openclawConfigReadable: ResourceRule = {
  kind: "resource",
  name: "openclaw-config-readable",
  description:
    "Every OpenClaw config a resource delivers (by name, OPENCLAW_CONFIG_PATH or shape; user data in any form, S3 objects, the host bundle) decodes and parses as JSON5, with its $include files delivered too.",
  protects: "the gate itself: an unreadable gateway config would pass unjudged",
  checklistItems: ["gradual-trust", "fs-sandboxing"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Ship openclaw.json (JSON5) and the files it $includes with the same resource, as plain text, b64 or gzip+base64 write_files, a heredoc, an S3 object with inline content, or the host bundle.",
  resourceTypes: OPENCLAW_TYPES,
  appliesTo: shipsOpenclaw,
  validateResource(type, props) {
    const unseen = openclawUnseen(type, props);
    const setup = openclawSetup(type, props);
    const blind = [...unseen, ...setup.configs.flatMap((c) => (c.blind ? [c.blind] : [])), ...setup.unjudged];
    if (blind.length > 0) throw new CannotJudge(blind.join("; "));
    return [
      ...setup.configs.flatMap((f) => (f.error ? [`${f.path}: ${f.error}`] : [])),
      // A part of the user data that did not decode may hide a config.
      ...hostPayload(type, props).problems,
    ];
  },
};
