// A loopback imitation of the OpenAI endpoints the rotation uses (see strategies/openai.ts for the
// paths and their source): service-account key creation, project key list and delete, GET /models.
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeKey {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly owner: { type: "service_account"; id: string } | { type: "user"; id: string };
  readonly createdAt: number;
  deleted: boolean;
}

export type FakeRoute = "create" | "list" | "delete" | "models";

export class FakeOpenAiApi {
  readonly adminKey = `sk-admin-${randomBytes(16).toString("hex")}`;
  readonly keys: FakeKey[] = [];
  /** Method and path of every request, in order (no credentials). */
  readonly requests: string[] = [];
  /** The server returns at most this many keys per page, whatever `limit` asks, to exercise paging. */
  pageSize = 2;
  private readonly failures = new Map<FakeRoute, { status: number; left: number }>();
  private server: http.Server | undefined;
  private clock = 1_760_000_000;

  constructor(
    readonly projectId: string,
    readonly serviceAccountId: string,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A key made outside the rotation (by the operator in the dashboard, or another owner). */
  mint(name: string, owner: FakeKey["owner"] = { type: "service_account", id: this.serviceAccountId }): FakeKey {
    const key: FakeKey = {
      id: `key_${randomBytes(8).toString("hex")}`,
      name,
      value: `sk-svcacct-${randomBytes(24).toString("base64url")}`,
      owner,
      createdAt: this.clock++,
      deleted: false,
    };
    this.keys.push(key);
    return key;
  }

  /** The next `times` calls of a route answer with `status`. */
  failNext(route: FakeRoute, status: number, times = 1): void {
    this.failures.set(route, { status, left: times });
  }

  liveKeys(): FakeKey[] {
    return this.keys.filter((k) => !k.deleted);
  }

  private injected(route: FakeRoute): number | undefined {
    const failure = this.failures.get(route);
    if (!failure || failure.left === 0) return undefined;
    failure.left -= 1;
    return failure.status;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    this.requests.push(`${req.method} ${url.pathname}`);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    let body = "";
    for await (const chunk of req) body += chunk;
    const send = (status: number, json: unknown): void => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(json));
    };
    // Like the real API, the error message echoes the presented key: callers must not log it.
    const unauthorized = (): void =>
      send(401, { error: { message: `Incorrect API key provided: ${bearer ?? ""}`, type: "invalid_request_error", code: "invalid_api_key" } });
    const fail = (route: FakeRoute): boolean => {
      const status = this.injected(route);
      if (status === undefined) return false;
      if (status === 401) unauthorized();
      else send(status, { error: { message: "injected", type: "server_error", code: null } });
      return true;
    };

    if (req.method === "GET" && url.pathname === "/v1/models") {
      if (fail("models")) return;
      if (!this.liveKeys().some((k) => k.value === bearer)) return unauthorized();
      return send(200, { object: "list", data: [{ id: "gpt-test", object: "model" }] });
    }

    const project = `/v1/organization/projects/${this.projectId}`;
    if (bearer !== this.adminKey) return unauthorized();
    const create = new RegExp(`^${project}/service_accounts/([^/]+)/api_keys$`).exec(url.pathname);
    if (req.method === "POST" && create) {
      if (fail("create")) return;
      if (create[1] !== this.serviceAccountId) return send(404, { error: { message: "No such service account", type: "invalid_request_error", code: null } });
      const name = (JSON.parse(body || "{}") as { name?: string }).name ?? "Secret Key";
      const key = this.mint(name);
      return send(200, { object: "organization.project.service_account.api_key", id: key.id, name: key.name, value: key.value, created_at: key.createdAt, expires_at: null });
    }
    if (req.method === "GET" && url.pathname === `${project}/api_keys`) {
      if (fail("list")) return;
      const live = this.liveKeys();
      const after = url.searchParams.get("after");
      const start = after ? live.findIndex((k) => k.id === after) + 1 : 0;
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 20), this.pageSize);
      const page = live.slice(start, start + limit);
      return send(200, {
        object: "list",
        data: page.map((k) => ({
          object: "organization.project.api_key",
          id: k.id,
          name: k.name,
          redacted_value: `sk-...${k.value.slice(-4)}`,
          created_at: k.createdAt,
          last_used_at: null,
          owner:
            k.owner.type === "service_account"
              ? { type: "service_account", service_account: { id: k.owner.id, name: "gateway", created_at: 0, role: "member" } }
              : { type: "user", user: { id: k.owner.id, email: "someone@example.com", name: "Someone", created_at: 0, role: "owner" } },
        })),
        first_id: page[0]?.id ?? null,
        last_id: page.at(-1)?.id ?? null,
        has_more: start + limit < live.length,
      });
    }
    const del = new RegExp(`^${project}/api_keys/([^/]+)$`).exec(url.pathname);
    if (req.method === "DELETE" && del) {
      if (fail("delete")) return;
      const key = this.liveKeys().find((k) => k.id === del[1]);
      if (!key) return send(404, { error: { message: "No such API key", type: "invalid_request_error", code: "api_key_not_found" } });
      key.deleted = true;
      return send(200, { object: "organization.project.api_key.deleted", id: key.id, deleted: true });
    }
    return send(404, { error: { message: `No route ${req.method} ${url.pathname}`, type: "invalid_request_error", code: null } });
  }
}
