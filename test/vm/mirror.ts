// A file mirror on host loopback. Record mode fills it from the real upstream (the host reaches
// Debian's archive and the npm registry); replay mode serves only what was recorded, so the VM's
// downloads are a fixed snapshot and nothing it asks for ever leaves this machine.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export type MirrorMode = "record" | "replay";

export interface MirrorOptions {
  /** Where responses are stored, one file per request path. */
  storeDir: string;
  /** Origin (and optional path prefix) that record mode fetches from, e.g. "http://deb.debian.org". */
  upstream: string;
  mode: MirrorMode;
  /** Maps a request path onto the upstream's path (and the store's key). */
  rewrite?: (requestPath: string) => string;
  /** Extra request headers record mode forwards (npm's Accept picks the abbreviated packument). */
  forwardHeaders?: string[];
  log?: (line: string) => void;
}

export interface MirrorStats {
  served: number;
  fetched: number;
  bytesServed: number;
  /** Paths the VM asked for that the store does not hold (replay), or that upstream refused (record). */
  misses: string[];
}

export interface Mirror {
  port: number;
  url: string;
  stats: MirrorStats;
  close(): Promise<void>;
}

/** The store file of a request path; "~body" keeps a packument (/x) apart from its tarballs (/x/-/...). */
export function storeFile(storeDir: string, requestPath: string): string {
  const decoded = decodeURIComponent(requestPath.split("?")[0]);
  const segments = decoded.split("/").filter((s) => s.length > 0);
  if (segments.length === 0 || segments.some((s) => s === "." || s === ".." || s.includes("\0"))) {
    throw new Error(`refusing mirror path ${JSON.stringify(requestPath)}`);
  }
  return `${path.join(storeDir, ...segments)}~body`;
}

function contentType(file: string): string {
  if (file.endsWith(".tgz~body") || file.endsWith(".deb~body")) return "application/octet-stream";
  // npm packuments are the only extension-less JSON documents this mirror holds.
  return /\/[^/.]+~body$/.test(file) && !file.includes("/dists/") ? "application/json" : "application/octet-stream";
}

async function fetchUpstream(opts: MirrorOptions, upstreamPath: string, req: http.IncomingMessage, file: string): Promise<number> {
  const headers: Record<string, string> = {};
  for (const h of opts.forwardHeaders ?? []) {
    const v = req.headers[h.toLowerCase()];
    if (typeof v === "string") headers[h] = v;
  }
  const res = await fetch(`${opts.upstream}${upstreamPath}`, { headers, signal: AbortSignal.timeout(300_000) });
  if (res.status !== 200) return res.status;
  const body = Buffer.from(await res.arrayBuffer());
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
  fs.writeFileSync(tmp, body);
  fs.renameSync(tmp, file);
  return 200;
}

export async function startMirror(opts: MirrorOptions, port = 0): Promise<Mirror> {
  const stats: MirrorStats = { served: 0, fetched: 0, bytesServed: 0, misses: [] };
  const server = http.createServer((req, res) => {
    void (async () => {
      const requestPath = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405).end();
        return;
      }
      let file: string;
      const upstreamPath = opts.rewrite ? opts.rewrite(requestPath) : requestPath;
      try {
        file = storeFile(opts.storeDir, upstreamPath);
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (!fs.existsSync(file) && opts.mode === "record") {
        const status = await fetchUpstream(opts, upstreamPath, req, file);
        if (status === 200) stats.fetched += 1;
        else {
          stats.misses.push(`${requestPath} (upstream ${status})`);
          res.writeHead(status === 404 ? 404 : 502).end();
          return;
        }
      }
      if (!fs.existsSync(file)) {
        stats.misses.push(requestPath);
        opts.log?.(`miss ${requestPath}`);
        res.writeHead(404).end();
        return;
      }
      const size = fs.statSync(file).size;
      res.writeHead(200, { "content-type": contentType(file), "content-length": size });
      stats.served += 1;
      if (req.method === "HEAD") {
        res.end();
        return;
      }
      stats.bytesServed += size;
      fs.createReadStream(file).pipe(res);
    })().catch((err: unknown) => {
      opts.log?.(`error ${req.url ?? ""}: ${String(err)}`);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
