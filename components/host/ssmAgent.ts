// The AWS SSM Agent that first boot installs: the pinned version, where AWS publishes its .deb, and
// the AWS signing keys its detached signature must come from (docs: "Verifying the signature of SSM Agent").
import * as fs from "node:fs";
import * as path from "node:path";
import type { HostFile } from "../base/hostFile";

export const SSM_AGENT = {
  version: "3.3.4624.0",
  /**
   * Primary-key fingerprints of the "SSM Agent <ssm-agent-signer@amazon.com>" keys in
   * keys/amazon-ssm-agent.asc (ssm-public-2021, ssm-public-2022, the 2023 key), as gpg prints them.
   * The copies there carry expiries of 2022-03-29, 2023-09-05 and 2025-02-17; AWS extends a key's
   * expiry in place, and gpgv still verifies (EXPKEYSIG), so the fingerprint is the pin.
   */
  signerFingerprints: [
    "8108A07A9EBE248E3F1C63F254F4F56E693ECA21",
    "2BC7C7C267BBD505EAA491E6DD81A61756BAA549",
    "DE92C7DA3E56E92331D62A36BC1F495C97DD04ED",
  ],
} as const;

/** The armored public keys in the repository, as AWS publishes them. */
export const SSM_AGENT_KEYS_SOURCE = path.join(__dirname, "keys", "amazon-ssm-agent.asc");
/** Where first boot finds them on the host; install-ssm-agent dearmors them into a gpgv keyring. */
export const SSM_AGENT_KEYS_PATH = "/usr/local/share/clawkeep/amazon-ssm-agent.asc";

/** The signing keys as a host file: public data, root-owned, world-readable. */
export function ssmAgentKeysFile(): HostFile {
  return { path: SSM_AGENT_KEYS_PATH, content: fs.readFileSync(SSM_AGENT_KEYS_SOURCE, "utf8"), mode: "0644", owner: "root:root" };
}

/** AWS's regional download of one SSM Agent version; its signature is the same URL plus `.sig`. */
export function ssmAgentDebUrl(region: string, version: string): string {
  return `https://s3.${region}.amazonaws.com/amazon-ssm-${region}/${version}/debian_amd64/amazon-ssm-agent.deb`;
}
