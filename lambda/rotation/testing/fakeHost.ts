// The gateway host for protocol tests: like the real pickup script it reads the version it is told
// to install from Secrets Manager, and its "gateway" accepts exactly one token.
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { HostPort } from "../host";

export type HostFault = "install-before-applying" | "install-after-applying" | "verify";

export class FakeGatewayHost implements HostPort {
  private active: string | undefined;
  readonly calls: string[] = [];
  private fault: HostFault | undefined;

  constructor(
    private readonly sm: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  /** Starts the gateway on the value of one version (boot). */
  async boot(versionId: string): Promise<void> {
    this.active = await this.read(versionId);
  }

  failNext(fault: HostFault): void {
    this.fault = fault;
  }

  accepts(token: string | undefined): boolean {
    return token !== undefined && token === this.active;
  }

  async install(versionId: string): Promise<void> {
    this.calls.push(`install ${versionId}`);
    if (this.take("install-before-applying")) throw new Error("host unreachable");
    this.active = await this.read(versionId);
    if (this.take("install-after-applying")) throw new Error("gateway restarted but health check failed");
  }

  async verify(versionId: string): Promise<void> {
    this.calls.push(`verify ${versionId}`);
    const token = await this.read(versionId);
    if (this.take("verify") || !this.accepts(token)) throw new Error("gateway answered 401 to the new token");
  }

  private take(fault: HostFault): boolean {
    if (this.fault !== fault) return false;
    this.fault = undefined;
    return true;
  }

  private async read(versionId: string): Promise<string> {
    const res = await this.sm.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionId: versionId }));
    if (res.SecretString === undefined) throw new Error(`version ${versionId} has no value`);
    return res.SecretString;
  }
}
