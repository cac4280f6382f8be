// `npm run rotate -- --stack NAME --secret NAME` and `npm run revoke -- --stack NAME`.
// Exit 0 done, 1 the AWS call failed, 2 bad input.
import { ConfigError, loadStackFile } from "../stacks";
import { clients, credentialNames, revokeGateway, rotateCredential } from "./credentials";

const USAGE = `usage: npm run rotate -- --stack NAME --secret NAME [--abandon-stalled]
       npm run revoke -- --stack NAME

  rotate  start a rotation of one credential now (a leaked key); the rotation function does the rest
  revoke  stop the gateway and replace its token at once; the old token is invalid everywhere`;

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function main(command: "rotate" | "revoke", argv: string[]): Promise<number> {
  const known = new Set(["--stack", "--secret", "--abandon-stalled"]);
  const unknown = argv.filter((a, i) => a.startsWith("--") && !known.has(a) && !(i > 0 && ["--stack", "--secret"].includes(argv[i - 1])));
  const stack = flag(argv, "--stack");
  if (unknown.length > 0 || !stack) {
    process.stderr.write(`error: ${unknown.length ? `unknown flag ${unknown[0]}` : "--stack NAME is required"}\n\n${USAGE}\n`);
    return 2;
  }
  let model;
  let region;
  try {
    model = loadStackFile(stack);
    region = model.region;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const names = credentialNames(model, stack);
  try {
    if (command === "revoke") {
      const r = await revokeGateway(clients(region), model, stack);
      process.stdout.write(`revoked: gateway stop sent (SSM command ${r.commandId}); token version ${r.revokedVersionId ?? "(none)"} replaced by ${r.versionId}\n`);
      return 0;
    }
    const secret = flag(argv, "--secret");
    if (!secret || !(secret in names)) {
      process.stderr.write(`error: --secret got ${JSON.stringify(secret ?? null)}; allowed: ${Object.keys(names).join(", ")}\n`);
      return 2;
    }
    const r = await rotateCredential(clients(region), names[secret], argv.includes("--abandon-stalled"));
    process.stdout.write(`rotation of ${names[secret]} started: new version ${r.versionId}${r.abandonedVersionIds.length ? ` (abandoned ${r.abandonedVersionIds.join(", ")})` : ""}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "rotate" && command !== "revoke") {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  main(command, rest).then((code) => process.exit(code));
}
