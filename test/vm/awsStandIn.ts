// AWS for a VM that may only reach host loopback: a resolver (DNS over TCP, since qemu's guestfwd
// forwards TCP only) that maps every *.amazonaws.com name to one address, and a TLS front with a
// test-CA certificate for those names that hands each request, Host header intact, to moto server.
// The boot scripts thus run unchanged against "AWS": S3 (host bundle, SSM Agent download), Secrets
// Manager, and the instance role's credentials (moto also answers as the metadata service).
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

export interface Listener {
  port: number;
  close(): Promise<void>;
}

function closer(server: net.Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if ("closeAllConnections" in server) (server as http.Server).closeAllConnections();
      server.close(() => resolve());
    });
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** The first question of a DNS query: its name (lower case), type, and the byte offset after it. */
export function parseQuestion(msg: Buffer): { name: string; qtype: number; end: number } {
  let off = 12;
  const labels: string[] = [];
  for (;;) {
    const len = msg[off];
    if (len === undefined || len > 63) throw new Error("bad DNS question");
    off += 1;
    if (len === 0) break;
    labels.push(msg.subarray(off, off + len).toString("ascii").toLowerCase());
    off += len;
  }
  return { name: labels.join("."), qtype: msg.readUInt16BE(off), end: off + 4 };
}

const TYPE_A = 1;
const RCODE_NXDOMAIN = 3;

/** The answer to one query: A `address` for names under `zone`, no data for their other types, NXDOMAIN for the rest. */
export function dnsAnswer(query: Buffer, zone: string, address: string): { reply: Buffer; name: string; answered: boolean } {
  const { name, qtype, end } = parseQuestion(query);
  const inZone = name === zone || name.endsWith(`.${zone}`);
  const answer = inZone && qtype === TYPE_A;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  const rd = query[2] & 0x01;
  header[2] = 0x84 | rd; // QR, AA, RD copied
  header[3] = 0x80 | (inZone ? 0 : RCODE_NXDOMAIN); // RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answer ? 1 : 0, 6);
  const parts = [header, query.subarray(12, end)];
  if (answer) {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(4, 10);
    address.split(".").forEach((o, i) => (rr[12 + i] = Number(o)));
    parts.push(rr);
  }
  return { reply: Buffer.concat(parts), name, answered: answer };
}

/** DNS over TCP (RFC 7766 framing: a 2-byte length before each message). `asked` collects every name. */
export async function startDns(zone: string, address: string, asked: string[]): Promise<Listener> {
  const server = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on("error", () => sock.destroy());
    sock.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        try {
          const { reply, name } = dnsAnswer(msg, zone, address);
          asked.push(name);
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([len, reply]));
        } catch {
          sock.destroy();
        }
      }
    });
  });
  const port = await listen(server);
  return { port, close: closer(server) };
}

export interface AwsRequest {
  method: string;
  host: string;
  path: string;
  status: number;
}

/** TLS in front of moto: every request goes on with its Host header, so moto picks the service and bucket. */
export async function startAwsFront(certFile: string, keyFile: string, motoPort: number, seen: AwsRequest[]): Promise<Listener> {
  const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (req, res) => {
    const entry: AwsRequest = { method: req.method ?? "", host: req.headers.host ?? "", path: (req.url ?? "").split("?")[0], status: 0 };
    seen.push(entry);
    const upstream = http.request({ host: "127.0.0.1", port: motoPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      entry.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const port = await listen(server);
  return { port, close: closer(server) };
}

function s3Put(motoPort: number, host: string, urlPath: string, body?: Buffer, acl?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // fetch() may not set Host; moto needs it to take the request as S3 in the region.
    const headers = { host, "content-length": body?.length ?? 0, ...(acl ? { "x-amz-acl": acl } : {}) };
    const req = http.request({ host: "127.0.0.1", port: motoPort, method: "PUT", path: urlPath, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Bucket and key of an S3 download URL, path style (s3.REGION.amazonaws.com/BUCKET/KEY) or virtual-hosted (BUCKET.s3.REGION...). */
export function s3Location(url: string): { bucket: string; key: string } {
  const u = new URL(url);
  const [, first, ...rest] = u.pathname.split("/");
  if (u.hostname.startsWith("s3.")) return { bucket: first, key: rest.join("/") };
  const bucket = /^(.+)\.s3[.-]/.exec(u.hostname)?.[1];
  if (!bucket) throw new Error(`not an S3 URL: ${url}`);
  return { bucket, key: [first, ...rest].join("/") };
}

/** Create a bucket (path style) and put an object in moto's S3; moto takes unsigned requests. `public-read` as AWS's download buckets. */
export async function putS3Object(motoPort: number, region: string, bucket: string, key: string, body: Buffer, acl?: "public-read"): Promise<void> {
  const host = `s3.${region}.amazonaws.com`;
  const mk = await s3Put(motoPort, host, `/${bucket}`);
  if (mk.status !== 200 && mk.status !== 409) throw new Error(`moto: create bucket ${bucket}: HTTP ${mk.status} ${mk.text}`);
  const put = await s3Put(motoPort, host, `/${bucket}/${key}`, body, acl);
  if (put.status !== 200) throw new Error(`moto: put s3://${bucket}/${key}: HTTP ${put.status} ${put.text}`);
}
