// What lands on a host: every file, command and clear text a resource delivers, decoded from every
// form that reaches one. User data in each cloud-init form (#cloud-config with write_files in any
// encoding, #cloud-config-archive, #! scripts and boothooks with heredocs and base64 blobs, multipart
// MIME, gzip, base64) on instances, spot requests, launch templates and launch configurations; the
// kit's host bundle object and any other S3 object; an ECS container's command and environment; the
// scripts SSM runs on a host after boot (Command/Automation documents, association and maintenance-window
// task commands).
// Every rule that looks at host files reads this one function.
import * as zlib from "node:zlib";
import { parse as parseYaml } from "yaml";
import { isAssetView } from "./assets";
import { SHELL_NAME, shellEffects, shellWords } from "./shellScript";
import { OPENCLAW_IMAGE, expandedCommands, programIndex } from "./openclawCli";

export { OPENCLAW_IMAGE };
import { asArray, isRecord, readKnown } from "./values";

export interface HostFile {
  path: string;
  /** undefined when the content cannot be seen (an undecodable encoding, a download, a command's output). */
  content?: string;
  /** How it arrives, for messages: "user data write_files", "user data script heredoc", "S3 object", ... */
  via: string;
  append?: boolean;
  /** Why the content could not be read, when it could not. */
  problem?: string;
}

export interface HostCommand {
  line: string;
  via: string;
}

export interface ClearText {
  where: string;
  text: string;
}

export interface HostPayload {
  files: HostFile[];
  /** Commands the host runs: runcmd/bootcmd, script lines, units' Exec lines, container commands. */
  commands: HostCommand[];
  /** Every text stored in clear on the way: the raw documents, each decoded layer, file contents, blobs. */
  texts: ClearText[];
  /** Parts that could not be decoded (invalid YAML, a broken gzip), named. */
  problems: string[];
  /** Content delivered but invisible offline (a FileAsset's bytes): rules that need it cannot judge. */
  unseen: string[];
  /** Shell scripts whose lines are in `commands` (run by a command, a unit or cloud-init's script directories). */
  followed: string[];
  /** Heredocs fed to a program other than a shell: text a host program reads that is not read as commands here. */
  unread: ClearText[];
}

export const S3_OBJECT_TYPES = ["aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject"] as const;
const ECS_TASK = "aws:ecs/taskDefinition:TaskDefinition";
/** Keys that hold user data, at any depth (spot fleet launch specifications nest it). */
const USER_DATA_KEYS = new Set(["userData", "userDataBase64"]);

const SSM_DOCUMENT = "aws:ssm/document:Document";
const SSM_ASSOCIATION = "aws:ssm/association:Association";
const SSM_WINDOW_TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";
/** Resources whose text a managed host runs after boot: SSM documents' scripts, the commands associations and maintenance-window tasks pass. */
export const SSM_SCRIPT_TYPES = [SSM_DOCUMENT, SSM_ASSOCIATION, SSM_WINDOW_TASK] as const;
/** Parameter names whose value SSM hands the host as shell (AWS-RunShellScript commands, AWS-RunRemoteScript commandLine, ...). */
const SCRIPT_PARAMETER = /^(?:commands?|commandLine|executionCommand|script|scripts|runCommand)$/i;

/** Resource types that deliver something to a host (anything with a userData key also counts). */
export const HOST_PAYLOAD_TYPES = [
  "aws:ec2/instance:Instance",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ec2/launchConfiguration:LaunchConfiguration",
  "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
  "aws:ec2/spotFleetRequest:SpotFleetRequest",
  "aws:lightsail/instance:Instance",
  ...S3_OBJECT_TYPES,
  ECS_TASK,
] as const;

const isGzip = (buf: Buffer) => buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b;

function printable(text: string): boolean {
  if (text.length === 0 || text.includes("\uFFFD")) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x08\x0E-\x1F]/.test(text);
}

function gunzip(buf: Buffer): Buffer | undefined {
  try {
    return zlib.gunzipSync(buf);
  } catch {
    return undefined;
  }
}

function gunzipText(buf: Buffer): string | undefined {
  const out = gunzip(buf);
  return out === undefined ? undefined : out.toString("utf8");
}

const BASE64_DOC = /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/;

/** A base64 (optionally gzipped) text decoded, or undefined when `s` is not one. */
export function decodeBase64Text(s: string): string | undefined {
  const compact = s.replace(/\s+/g, "");
  if (compact.length < 8 || compact.length % 4 !== 0 || !BASE64_DOC.test(s)) return undefined;
  const buf = Buffer.from(compact, "base64");
  const text = isGzip(buf) ? gunzipText(buf) : buf.toString("utf8");
  return text !== undefined && printable(text) ? text : undefined;
}

const BLOB = /[A-Za-z0-9+/]{24,}={0,2}/g;
const MAX_BLOBS = 200;

/** Base64 runs inside a text that decode to text (or gzip'd text): what `echo ... | base64 -d` would produce. */
export function base64Blobs(text: string): string[] {
  const out: string[] = [];
  let seen = 0;
  for (const m of text.matchAll(BLOB)) {
    if (++seen > MAX_BLOBS) break;
    const padded = m[0].length % 4 === 0 ? m[0] : m[0].slice(0, m[0].length - (m[0].length % 4));
    const decoded = decodeBase64Text(padded);
    if (decoded !== undefined && decoded.length >= 8 && /[A-Za-z]{3}/.test(decoded)) out.push(decoded);
  }
  return out;
}

type DocKind = "mime" | "cloud-config" | "cloud-config-archive" | "shell" | "include" | "opaque" | "other";

function sniff(text: string): DocKind {
  const head = text.replace(/^\uFEFF/, "").trimStart();
  if (/^(content-type|mime-version):/i.test(head)) return "mime";
  if (head.startsWith("#cloud-config-archive")) return "cloud-config-archive";
  if (head.startsWith("#cloud-config")) return "cloud-config";
  if (head.startsWith("#!") || head.startsWith("#cloud-boothook")) return "shell";
  if (head.startsWith("#include")) return "include";
  return "other";
}

/** cloud-init's part types (user_data.py / handlers) mapped to how the part is read. */
function kindOfContentType(ct: string | undefined): DocKind | undefined {
  const t = (ct ?? "").split(";")[0].trim().toLowerCase();
  if (t.startsWith("multipart/")) return "mime";
  if (t === "text/cloud-config" || t === "text/cloud-config-jsonp") return "cloud-config";
  if (t === "text/cloud-config-archive") return "cloud-config-archive";
  if (t === "text/x-shellscript" || t === "text/cloud-boothook" || t === "text/x-shellscript-per-boot" || t === "text/x-shellscript-per-instance" || t === "text/x-shellscript-per-once") return "shell";
  if (t === "text/x-include-url" || t === "text/x-include-once-url") return "include";
  if (t === "text/part-handler" || t === "text/upstart-job" || t === "text/jinja2") return "opaque";
  return undefined;
}

class Collector implements HostPayload {
  files: HostFile[] = [];
  commands: HostCommand[] = [];
  texts: ClearText[] = [];
  problems: string[] = [];
  unseen: string[] = [];
  followed: string[] = [];
  unread: ClearText[] = [];

  text(where: string, text: string): void {
    this.texts.push({ where, text });
    for (const blob of base64Blobs(text)) this.texts.push({ where: `${where} (base64 blob)`, text: blob });
  }

  file(f: HostFile): void {
    this.files.push(f);
    if (f.content !== undefined) this.text(`${f.via} ${f.path}`, f.content);
  }

  /** followed: a script file the payload runs; a file it writes at a path only it knows ($var/...) is its own scratch. */
  script(script: string, via: string, followed = false): void {
    const fx = shellEffects(script);
    for (const line of fx.commands) this.commands.push({ line, via });
    for (const p of fx.problems) this.problems.push(`${via}: ${p}`);
    for (const f of fx.files) if (!(followed && !f.path.startsWith("/"))) this.file({ path: f.path, content: f.content, append: f.append, via: `${via} writes` });
    for (const input of fx.inputs) {
      this.text(`${via} heredoc`, input.text);
      // A heredoc a shell reads (`bash <<EOF`, `sudo -u x sh <<EOF`, `cat <<EOF | sh`, `su - u <<EOF`) is a script.
      if (feedsShell(input.head)) this.script(input.text, `${via} heredoc`, followed);
      else this.unread.push({ where: `${via} heredoc into \`${input.head}\``, text: input.text });
    }
  }
}

/** A command line that hands its standard input (or a pipe into it) to a shell or su, not to a -c string. */
function feedsShell(head: string): boolean {
  const words = shellWords(head);
  return words.some((w) => { const name = w.split("/").pop() ?? ""; return SHELL_NAME.test(name) || name === "su"; }) && !words.some((w) => /^-[A-Za-z]*c[A-Za-z]*$|^--command/.test(w));
}

/** One document of user data (or an S3 object's body), in whatever form it is. */
function decodeDocument(raw: Buffer, where: string, out: Collector, depth: number, kind?: DocKind): void {
  if (depth > 6) return;
  if (isGzip(raw)) {
    const inner = gunzip(raw);
    if (inner === undefined) out.problems.push(`${where}: gzip data that does not decompress`);
    else decodeDocument(inner, `${where} (gzip)`, out, depth + 1, kind);
    return;
  }
  let text = raw.toString("utf8");
  if (!printable(text)) {
    out.problems.push(`${where}: binary content that is neither gzip nor text`);
    return;
  }
  if (kind === undefined) {
    const decoded = BASE64_DOC.test(text) ? Buffer.from(text.replace(/\s+/g, ""), "base64") : undefined;
    if (decoded && (isGzip(decoded) || printable(decoded.toString("utf8"))) && text.replace(/\s+/g, "").length % 4 === 0) {
      decodeDocument(decoded, `${where} (base64)`, out, depth + 1);
      return;
    }
  }
  out.text(where, text);
  // A Jinja template header precedes the real one (cloud-init renders it first).
  if (/^## template: *jinja\s*\n/i.test(text)) {
    text = text.replace(/^## template: *jinja\s*\n/i, "");
    // Rendered with instance data on the host: an expression or statement may spell anything.
    if (/\{\{|\{%/.test(text)) out.problems.push(`${where}: a Jinja template with expressions, rendered on the host; ship the rendered text`);
  }
  switch (kind ?? sniff(text)) {
    case "mime":
      return decodeMime(text, where, out, depth);
    case "cloud-config":
      return decodeCloudConfig(text, where, out);
    case "cloud-config-archive":
      return decodeArchive(text, where, out, depth);
    case "shell":
      return out.script(text, `${where} script`);
    case "opaque":
      // A part handler is Python cloud-init runs; an upstart job, a program: neither is read here.
      out.problems.push(`${where}: a part cloud-init runs as a program (part handler or job) that this plan does not read`);
      return;
    default:
      return;
  }
}

function headerBlock(text: string): { headers: Record<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? text.slice(m.index + m[0].length) : "";
  const headers: Record<string, string> = {};
  let last = "";
  for (const line of head.split(/\r?\n/)) {
    if (/^\s/.test(line) && last) headers[last] += ` ${line.trim()}`;
    else {
      const i = line.indexOf(":");
      if (i > 0) {
        last = line.slice(0, i).trim().toLowerCase();
        headers[last] = line.slice(i + 1).trim();
      }
    }
  }
  return { headers, body };
}

function quotedPrintable(s: string): Buffer {
  return Buffer.from(s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
}

function partBody(body: string, headers: Record<string, string>): Buffer {
  const cte = (headers["content-transfer-encoding"] ?? "").toLowerCase();
  if (cte === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64");
  if (cte === "quoted-printable") return quotedPrintable(body);
  return Buffer.from(body, "utf8");
}

function decodeMime(text: string, where: string, out: Collector, depth: number): void {
  const { headers, body } = headerBlock(text);
  const ct = headers["content-type"] ?? "";
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(ct)?.[1];
  if (!/^multipart\//i.test(ct) || !boundary) {
    decodeDocument(partBody(body, headers), `${where} (${ct || "MIME"})`, out, depth + 1, kindOfContentType(ct));
    return;
  }
  const parts = body.split(new RegExp(`(?:^|\\r?\\n)--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].startsWith("--")) break;
    const part = headerBlock(parts[i].replace(/^[ \t]*\r?\n/, ""));
    const partCt = part.headers["content-type"] ?? "text/plain";
    decodeDocument(partBody(part.body, part.headers), `${where} MIME part ${i} (${partCt.split(";")[0]})`, out, depth + 1, kindOfContentType(partCt));
  }
}

function decodeArchive(text: string, where: string, out: Collector, depth: number): void {
  let doc: unknown;
  try {
    doc = parseYaml(text, { schema: "yaml-1.1" });
  } catch (e) {
    out.problems.push(`${where}: the #cloud-config-archive is not valid YAML (${(e as Error).message.split("\n")[0]})`);
    return;
  }
  asArray(doc).forEach((entry, i) => {
    const content = typeof entry === "string" ? entry : isRecord(entry) && typeof entry.content === "string" ? entry.content : undefined;
    const type = isRecord(entry) && typeof entry.type === "string" ? entry.type : undefined;
    if (content !== undefined) decodeDocument(Buffer.from(content, "utf8"), `${where} entry ${i + 1}`, out, depth + 1, kindOfContentType(type));
  });
}

/** cloud-init's write_files encodings (cc_write_files.py canonicalize_extraction), applied in order. */
function extraction(encoding: string): Array<"base64" | "gzip"> | undefined {
  switch (encoding) {
    case "b64":
    case "base64":
      return ["base64"];
    case "gz":
    case "gzip":
      return ["gzip"];
    case "gz+b64":
    case "gz+base64":
    case "gzip+b64":
    case "gzip+base64":
      return ["base64", "gzip"];
    case "text/plain":
      return [];
    default:
      return undefined;
  }
}

function writeFileContent(f: Record<string, unknown>): { content?: string; problem?: string } {
  const encoding = typeof f.encoding === "string" ? f.encoding.trim().toLowerCase() : "text/plain";
  const raw = f.content;
  if (raw === undefined || raw === null) return isRecord(f.source) ? { problem: "downloaded at boot (source.uri)" } : { content: "" };
  // `!!binary` content arrives as bytes; anything else as text.
  let buf: Buffer = raw instanceof Uint8Array ? Buffer.from(raw) : Buffer.from(String(raw), "utf8");
  // cloud-init writes an unknown encoding's content as it is.
  for (const step of extraction(encoding) ?? []) {
    if (step === "base64") buf = Buffer.from(buf.toString("latin1").replace(/\s+/g, ""), "base64");
    else {
      const inner = gunzip(buf);
      if (inner === undefined) return { problem: `encoding "${encoding}" but the content does not decompress` };
      buf = inner;
    }
  }
  const text = buf.toString("utf8");
  return printable(text) || text === "" ? { content: text } : { problem: "binary content" };
}

/** A runcmd/bootcmd entry as the shell line cloud-init runs (a list is exec'd; `sh -c` runs its script). */
function commandLine(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (!Array.isArray(entry)) return undefined;
  const words = entry.map(String);
  if (/^(?:\/(?:usr\/)?bin\/)?(?:ba|da)?sh$/.test(words[0] ?? "") && words[1] === "-c" && words[2] !== undefined) return words[2];
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(" ");
}

function decodeCloudConfig(text: string, where: string, out: Collector): void {
  let doc: unknown;
  try {
    // PyYAML reads cloud-config as YAML 1.1 (!!binary, yes/no booleans).
    doc = parseYaml(text, { schema: "yaml-1.1" });
  } catch (e) {
    out.problems.push(`${where}: the #cloud-config is not valid YAML (${(e as Error).message.split("\n")[0]})`);
    return;
  }
  if (!isRecord(doc)) return;
  for (const f of asArray(doc.write_files)) {
    if (!isRecord(f) || typeof f.path !== "string") continue;
    const { content, problem } = writeFileContent(f);
    out.file({ path: f.path, content, problem, append: f.append === true, via: `${where} write_files` });
  }
  for (const key of ["bootcmd", "runcmd"]) {
    const lines = asArray(doc[key]).map(commandLine).filter((l): l is string => l !== undefined);
    if (lines.length > 0) out.script(lines.join("\n"), `${where} ${key}`);
  }
  // Other modules that run a command: seed_random.command, power_state.condition, snap.commands, fs_setup[].cmd.
  const seed = isRecord(doc.seed_random) ? doc.seed_random.command : undefined;
  const power = isRecord(doc.power_state) ? doc.power_state.condition : undefined;
  const snap = isRecord(doc.snap) ? doc.snap.commands : undefined;
  const other: unknown[] = [seed, typeof power === "boolean" ? undefined : power, ...(isRecord(snap) ? Object.values(snap) : asArray(snap)), ...asArray(doc.fs_setup).map((f) => (isRecord(f) ? f.cmd : undefined))];
  const lines = other.flatMap((c) => (c === undefined || c === null ? [] : [commandLine(c)])).filter((l): l is string => l !== undefined);
  if (lines.length > 0) out.script(lines.join("\n"), `${where} module commands`);
  // Modules that run programs or hooks from text this reader does not follow: cannot be read.
  const aptText = isRecord(doc.apt) ? JSON.stringify(doc.apt) : "";
  const rsyslogText = isRecord(doc.rsyslog) || Array.isArray(doc.rsyslog) ? JSON.stringify(doc.rsyslog) : "";
  const opaque = [
    ...["ansible", "puppet", "chef", "salt_minion", "mcollective", "landscape", "ubuntu_advantage", "phone_home"].filter((k) => doc[k] !== undefined),
    ...(/Invoke|Post-Invoke|Pre-Install-Pkgs/.test(aptText) ? ["apt (a dpkg or apt hook)"] : []),
    ...(/omprog|\^\/|binary=/.test(rsyslogText) ? ["rsyslog (a program action)"] : []),
  ];
  if (opaque.length > 0) out.problems.push(`${where}: cloud-init modules run programs this plan does not read: ${opaque.join(", ")}`);
  // Passwords cloud-init sets, spelled as assignments so the credential checks read them by name.
  const passwords: string[] = [];
  for (const u of asArray(doc.users)) if (isRecord(u) && typeof u.plain_text_passwd === "string") passwords.push(u.plain_text_passwd);
  const chpasswd = isRecord(doc.chpasswd) ? doc.chpasswd : {};
  if (typeof chpasswd.list === "string") for (const l of chpasswd.list.split(/\r?\n/)) if (l.includes(":")) passwords.push(l.slice(l.indexOf(":") + 1));
  for (const u of asArray(chpasswd.users)) if (isRecord(u) && typeof u.password === "string" && u.type !== "hash") passwords.push(u.password);
  if (typeof doc.password === "string") passwords.push(doc.password);
  for (const p of passwords) out.text(`${where} user password`, `password=${p}\n`);
}

/** The kit's host bundle: gzip'd JSON [{path, content (base64)}] (components/host/hostBundle.ts). */
function bundleEntries(buf: Buffer): Array<{ path: string; content: string }> | undefined {
  const text = isGzip(buf) ? gunzipText(buf) : buf.toString("utf8");
  if (text === undefined || !text.trimStart().startsWith("[")) return undefined;
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries) || entries.length === 0 || !entries.every((e) => isRecord(e) && typeof e.path === "string" && typeof e.content === "string")) return undefined;
  return (entries as Array<{ path: string; content: string }>).map((e) => {
    const decoded = Buffer.from(e.content, "base64").toString("utf8");
    return { path: e.path, content: /^[A-Za-z0-9+/=\s]*$/.test(e.content) && printable(decoded) ? decoded : e.content };
  });
}

function s3Object(props: Record<string, unknown>, out: Collector): void {
  const key = readKnown(props, "key", undefined);
  const bucket = readKnown(props, "bucket", undefined);
  const name = typeof key === "string" ? key : "(no key)";
  const where = `S3 object${typeof bucket === "string" ? ` in ${bucket}` : ""}`;
  let body: Buffer | undefined;
  const content = readKnown(props, "content", undefined);
  const contentBase64 = readKnown(props, "contentBase64", undefined);
  const source = readKnown(props, "source", undefined);
  if (typeof content === "string") body = Buffer.from(content, "utf8");
  else if (typeof contentBase64 === "string") body = Buffer.from(contentBase64, "base64");
  else if (isAssetView(source)) {
    if ("assetText" in source) body = Buffer.from(source.assetText, "utf8");
    else if ("assetPath" in source) out.unseen.push(`the content of ${where} ${name}, uploaded from the file ${source.assetPath} on the deploying machine`);
    else if ("assetUri" in source) out.unseen.push(`the content of ${where} ${name}, fetched from ${source.assetUri} at deploy time`);
    else out.unseen.push(`the content of ${where} ${name}, uploaded from an archive`);
  }
  if (body === undefined) return;
  const bundle = bundleEntries(body);
  if (bundle) {
    for (const e of bundle) out.file({ path: e.path, content: e.content, via: `${where} (host bundle)` });
    return;
  }
  const text = isGzip(body) ? gunzipText(body) : body.toString("utf8");
  out.file({ path: name, content: text !== undefined && printable(text) ? text : undefined, via: where, problem: text === undefined ? "gzip data that does not decompress" : undefined });
  // A script or cloud-config kept in S3 is run by whatever fetches it: its effects count too.
  if (text !== undefined && ["mime", "cloud-config", "cloud-config-archive", "shell"].includes(sniff(text))) decodeDocument(Buffer.from(text, "utf8"), `${where} ${name}`, out, 1);
}


/** The command a container runs: its entrypoint override, else the image's (openclaw for OpenClaw's images), then its command/args. */
function containerLine(image: unknown, entryPoint: unknown, command: unknown): string | undefined {
  const ep = (typeof entryPoint === "string" ? [entryPoint] : asArray(entryPoint)).map(String);
  const cmd = (typeof command === "string" ? [command] : asArray(command)).map(String);
  // An image named for OpenClaw (openclaw-gateway, my/openclaw-custom) is taken to start openclaw unless an entrypoint says otherwise.
  const words = ep.length > 0 ? [...ep, ...cmd] : typeof image === "string" && (OPENCLAW_IMAGE.test(image) || /openclaw/i.test(image)) ? ["openclaw", ...cmd] : cmd;
  return words.length > 0 ? commandLine(words) : undefined;
}

export const CONTAINER_TYPES = {
  lightsail: "aws:lightsail/containerServiceDeploymentVersion:ContainerServiceDeploymentVersion",
  batch: "aws:batch/jobDefinition:JobDefinition",
  appRunner: "aws:apprunner/service:Service",
} as const;

const parsedJson = (v: unknown): unknown => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
};

/** Lightsail container deployments, Batch job definitions (container, ECS and EKS properties) and App Runner image services. */
function otherContainers(type: string, props: Record<string, unknown>, out: Collector): void {
  const take = (where: string, image: unknown, entryPoint: unknown, command: unknown) => {
    const line = containerLine(image, entryPoint, command);
    if (line !== undefined) out.commands.push({ line, via: `${where} command` });
  };
  if (type === CONTAINER_TYPES.lightsail) {
    for (const c of asArray(readKnown(props, "containers", undefined))) if (isRecord(c)) take(`Lightsail container ${String(c.containerName)}`, c.image, undefined, c.commands);
  } else if (type === CONTAINER_TYPES.batch) {
    const cp = parsedJson(readKnown(props, "containerProperties", undefined));
    if (isRecord(cp)) take("Batch container", cp.image, undefined, cp.command);
    const ecs = parsedJson(readKnown(props, "ecsProperties", undefined));
    for (const tp of asArray(isRecord(ecs) ? ecs.taskProperties : undefined)) {
      for (const c of asArray(isRecord(tp) ? tp.containers : undefined)) if (isRecord(c)) take(`Batch container ${String(c.name)}`, c.image, c.entryPoint, c.command);
    }
    const eks = readKnown(props, "eksProperties", undefined);
    const pod = isRecord(eks) ? readKnown(eks, "podProperties", undefined) : undefined;
    for (const c of asArray(isRecord(pod) ? readKnown(pod, "containers", undefined) : undefined)) if (isRecord(c)) take(`Batch EKS container ${String(c.name)}`, c.image, c.commands, c.args);
  } else if (type === CONTAINER_TYPES.appRunner) {
    const src = readKnown(props, "sourceConfiguration", undefined);
    const repo = isRecord(src) ? readKnown(src, "imageRepository", undefined) : undefined;
    if (!isRecord(repo)) return;
    const conf = readKnown(repo, "imageConfiguration", undefined);
    const start = isRecord(conf) ? readKnown(conf, "startCommand", undefined) : undefined;
    const image = readKnown(repo, "imageIdentifier", undefined);
    // App Runner's startCommand replaces the image's command, not its entrypoint.
    if (typeof image === "string" && OPENCLAW_IMAGE.test(image)) take("App Runner service", image, undefined, typeof start === "string" ? start.split(/\s+/) : undefined);
    else if (typeof start === "string") out.commands.push({ line: start, via: "App Runner service startCommand" });
  }
}

function ecsTask(props: Record<string, unknown>, out: Collector): void {
  const defs = readKnown(props, "containerDefinitions", undefined);
  let parsed: unknown = defs;
  if (typeof defs === "string") {
    try {
      parsed = JSON.parse(defs);
    } catch {
      out.problems.push("containerDefinitions is not valid JSON");
      return;
    }
  }
  for (const c of asArray(parsed)) {
    if (!isRecord(c)) continue;
    const where = `container ${typeof c.name === "string" ? c.name : "(unnamed)"}`;
    const line = containerLine(c.image, c.entryPoint, c.command);
    if (line !== undefined) out.commands.push({ line, via: `${where} command` });
    // The health check runs in the same container: ["CMD-SHELL", "line"] through a shell, ["CMD", argv...] directly.
    const check = isRecord(c.healthCheck) ? asArray(c.healthCheck.command).filter((w): w is string => typeof w === "string") : [];
    if (check.length > 1) out.commands.push({ line: check[0] === "CMD-SHELL" ? check.slice(1).join(" ") : check.slice(1).map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" "), via: `${where} healthCheck` });
    const env = asArray(c.environment).flatMap((e) => (isRecord(e) && typeof e.name === "string" && typeof e.value === "string" ? [`${e.name}=${e.value}`] : []));
    if (env.length > 0) out.text(`${where} environment`, `${env.join("\n")}\n`);
  }
}

/** `{{ name }}` in a document's script, with the parameter's default (what runs when nothing overrides it). */
function withDefaults(line: string, params: Record<string, unknown>): string {
  return line.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (all, name: string) => {
    const p = params[name];
    const d = isRecord(p) ? p.default : undefined;
    return typeof d === "string" ? d : all;
  });
}

/** Every script an SSM document runs on a host: aws:runShellScript runCommand (schema 2.x and 1.2 runtimeConfig), Automation aws:runCommand commands. */
function ssmDocument(props: Record<string, unknown>, out: Collector): void {
  const docType = readKnown(props, "documentType", undefined);
  if (docType !== undefined && docType !== "Command" && docType !== "Automation" && docType !== "Session") return;
  const content = readKnown(props, "content", undefined);
  if (typeof content !== "string" || content === "") return;
  const format = readKnown(props, "documentFormat", undefined);
  let doc: unknown;
  try {
    doc = format === "YAML" ? parseYaml(content) : JSON.parse(content);
  } catch (e) {
    out.problems.push(`SSM document content is not valid ${format === "YAML" ? "YAML" : "JSON"} (${(e as Error).message.split("\n")[0]})`);
    return;
  }
  if (!isRecord(doc)) return;
  const params = isRecord(doc.parameters) ? doc.parameters : {};
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 10 || v === null || typeof v !== "object") return;
    for (const [k, child] of Object.entries(v)) {
      const lines = typeof child === "string" ? [child] : Array.isArray(child) && child.every((c) => typeof c === "string") ? (child as string[]) : undefined;
      if (lines && SCRIPT_PARAMETER.test(k) && lines.length > 0) out.script(lines.map((l) => withDefaults(l, params)).join("\n"), `SSM document ${path}${k}`);
      else walk(child, `${path}${k}.`, depth + 1);
    }
  };
  walk(doc.mainSteps ?? doc.runtimeConfig ?? {}, "", 0);
  // A Session document's shell profile runs at the start of every session on the instance.
  const profile = isRecord(doc.inputs) && isRecord(doc.inputs.shellProfile) ? doc.inputs.shellProfile : {};
  for (const [os, text] of Object.entries(profile)) if (typeof text === "string" && text.trim() !== "") out.script(text, `SSM session document shellProfile.${os}`);
}

/** The commands an association or maintenance-window task hands the document it runs. */
function ssmInvocation(type: string, props: Record<string, unknown>, out: Collector): void {
  const via = type === SSM_ASSOCIATION ? "SSM association parameter" : "maintenance-window task parameter";
  const take = (name: unknown, value: unknown) => {
    if (typeof name !== "string" || !SCRIPT_PARAMETER.test(name)) return;
    const lines = typeof value === "string" ? [value] : asArray(value).filter((x): x is string => typeof x === "string");
    if (lines.length > 0) out.script(lines.join("\n"), `${via} ${name}`);
  };
  if (type === SSM_ASSOCIATION) {
    const params = readKnown(props, "parameters", undefined);
    if (isRecord(params)) for (const k of Object.keys(params)) take(k, readKnown(params, k, undefined));
    return;
  }
  const inv = readKnown(props, "taskInvocationParameters", undefined);
  if (!isRecord(inv)) return;
  for (const block of ["runCommandParameters", "automationParameters"]) {
    const b = readKnown(inv, block, undefined);
    for (const p of asArray(isRecord(b) ? readKnown(b, "parameters", undefined) : undefined)) if (isRecord(p)) take(p.name, p.values);
  }
}

const UNIT_PATH = /\/systemd\/(?:system|user)\/[^/]+(?:\.d\/[^/]+\.conf|\.(?:service|socket|timer|path))$/;

/** Is this file a systemd unit (or drop-in)? */
export function isUnitFile(path: string, content: string): boolean {
  return UNIT_PATH.test(path) || /^\[Service\]/m.test(content);
}

/**
 * An Exec line as systemd hands it on: C escapes (\x64, \144, \u0064) decoded, and its specifiers (%N, %i: the unit's
 * name or instance) left as `${SYSTEMD_SPECIFIER_N}`, a word the reader knows only the host can fill in.
 */
function systemdWords(line: string): string {
  return line
    .replace(/\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{3})/g, (_m, e: string) => String.fromCodePoint(parseInt(/^[xuU]/.test(e) ? e.slice(1) : e, /^[xuU]/.test(e) ? 16 : 8)))
    .replace(/%([A-Za-z%])/g, (_m, c: string) => (c === "%" ? "%" : `\${SYSTEMD_SPECIFIER_${c}}`));
}

/** A unit's Exec lines, continuations joined and the -@:+! prefixes systemd strips removed (with @, the word after the program is argv[0], not an argument). */
export function unitExecLines(content: string): Array<{ directive: string; line: string }> {
  const out: Array<{ directive: string; line: string }> = [];
  for (const l of content.replace(/[ \t]*\\\r?\n[ \t]*/g, " ").split(/\r?\n/)) {
    const m = /^\s*(Exec(?:Start|StartPre|StartPost|Condition|Reload|Stop|StopPost))\s*=\s*([-@:+!|]*)(.*)$/.exec(l);
    if (!m || m[3].trim() === "") continue;
    const line = m[2].includes("@") ? m[3].trim().replace(/^(\S+)\s+\S+/, "$1") : m[3].trim();
    out.push({ directive: m[1], line: systemdWords(line) });
  }
  return out;
}

/** cron's tables: the system ones name a user before the command, a user's own (crontabs/NAME) do not. */
export const CRON_TABLE = /^\/etc\/(?:crontab|cron\.d\/[^/]+)$|^\/var\/spool\/cron\/(?:crontabs\/)?[^/]+$/;

/** The commands of a cron table (schedule, or @reboot etc., then the user in a system table): commands the host runs. */
export function cronCommands(path: string, content: string): string[] {
  const system = path.startsWith("/etc/");
  const out: string[] = [];
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    // BASH_ENV/ENV: a file the shell sources before each job; read as if sourced.
    const env = /^(BASH_ENV|ENV)\s*=\s*["']?([^"'\s]+)/.exec(line);
    if (env) out.push(`. ${env[2]}`);
    if (/^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) continue;
    const fields = line.split(/\s+/);
    const schedule = fields[0].startsWith("@") ? 1 : 5;
    // An unescaped % ends the command; what follows is its standard input (a shell runs it): read as lines too.
    const [command, ...input] = fields.slice(schedule + (system ? 1 : 0)).join(" ").split(/(?<!\\)%/);
    out.push(command, ...input);
  }
  return out;
}

const UDEV_RULES = /\/udev\/rules\.d\/[^/]+\.rules$/;
const APT_CONF = /\/apt\/apt\.conf(?:\.d\/[^/]+)?$/;
/** Files whose commands this reader takes out and reads (cron tables, udev rules, apt hooks): judged by those lines. */
export const readAsCommands = (path: string) => CRON_TABLE.test(path) || UDEV_RULES.test(path) || APT_CONF.test(path);

/** Units' Exec lines, and cron tables', udev rules' and apt hooks' commands, are commands the host runs. */
function unitCommands(out: Collector): void {
  for (const f of [...out.files]) {
    if (f.content === undefined || !isUnitFile(f.path, f.content)) continue;
    for (const e of unitExecLines(f.content)) out.commands.push({ line: e.line, via: `unit ${f.path}` });
  }
  for (const f of [...out.files]) {
    if (f.content !== undefined && CRON_TABLE.test(f.path)) for (const line of cronCommands(f.path, f.content)) out.commands.push({ line, via: `cron table ${f.path}` });
    // udev runs a rule's RUN+= program; apt runs its Invoke hooks through sh -c.
    if (f.content !== undefined && UDEV_RULES.test(f.path)) for (const m of f.content.matchAll(/\bRUN\{?[a-z]*\}?\+?=\s*"((?:\\.|[^"\\])*)"/g)) out.commands.push({ line: m[1].replace(/\\"/g, '"'), via: `udev rule ${f.path}` });
    if (f.content !== undefined && APT_CONF.test(f.path)) {
      for (const block of f.content.matchAll(/[\w:-]*Invoke[\w:-]*\s*\{([^}]*)\}/g)) for (const m of block[1].matchAll(/"((?:\\.|[^"\\])*)"/g)) out.commands.push({ line: m[1], via: `apt hook ${f.path}` });
    }
  }
}

/** Files a host runs or sources: cron tables, shell start-up files, init scripts, anything in a bin or libexec directory. */
export const RUNNABLE_FILE = /^\/etc\/cron|^\/var\/spool\/cron|^\/etc\/(?:profile|bash\.bashrc|rc\.local|environment)$|^\/etc\/(?:profile\.d|init\.d)\/|\/\.(?:bashrc|bash_profile|profile|zshrc)$|\/(?:s?bin|libexec)\//;
/** cloud-init runs every file in these directories (cc_scripts_per_boot/instance/once). */
const CLOUD_INIT_SCRIPT_DIR = /^\/var\/lib\/cloud\/scripts\/per-(?:boot|instance|once)\/[^/]+$/;

/** The interpreter a script's #! line names (without arguments), or undefined. */
export function shebang(content: string): string | undefined {
  const m = /^#![ \t]*(\S+)(?:[ \t]+(\S+))?/.exec(content);
  if (!m) return undefined;
  return /(?:^|\/)env$/.test(m[1]) && m[2] !== undefined ? m[2] : m[1];
}

export const isShellScript = (content: string) => {
  const sb = shebang(content);
  return sb === undefined ? !content.startsWith("#!") : SHELL_NAME.test(sb.split("/").pop() ?? "");
};

/** The script files a command line executes: a program given by its path, `sh [options] FILE`, `. FILE`, in any of its simple commands. */
export function executedPaths(line: string): string[] {
  const out: string[] = [];
  for (const cmd of expandedCommands(line)) {
    const at = programIndex(cmd);
    const program = cmd[at] ?? "";
    let script: string | undefined = program;
    if (program === "." || program === "source") script = cmd[at + 1];
    else if (SHELL_NAME.test(program.split("/").pop() ?? "")) script = cmd.slice(at + 1).find((w, i, rest) => !/^[-+]/.test(w) && !/^[-+][A-Za-z]*[oO]$/.test(rest[i - 1] ?? ""));
    if (script !== undefined && script.startsWith("/")) out.push(script);
  }
  return out;
}

/**
 * Shell scripts the payload delivers and runs (a unit's or runcmd's command naming the file, or a file in
 * cloud-init's per-boot/per-instance/per-once directories): their lines are commands the host runs too.
 */
function followScripts(out: Collector): void {
  const latest = new Map<string, HostFile>();
  for (const f of out.files) latest.set(f.path, f);
  const followed = new Set<string>();
  const follow = (path: string, via: string) => {
    const f = latest.get(path);
    if (!f || f.content === undefined || followed.has(path) || followed.size > 50 || !isShellScript(f.content)) return;
    followed.add(path);
    out.followed.push(path);
    out.script(f.content, `script ${path} (run by ${via})`, true);
  };
  for (const f of out.files) if (CLOUD_INIT_SCRIPT_DIR.test(f.path)) follow(f.path, "cloud-init");
  // out.commands grows as scripts are followed: scripts that run scripts are read too.
  for (let i = 0; i < out.commands.length; i++) {
    for (const p of executedPaths(out.commands[i].line)) follow(p, out.commands[i].via);
  }
}

function userDataStrings(props: Record<string, unknown>): Array<{ where: string; raw: string }> {
  const out: Array<{ where: string; raw: string }> = [];
  for (const key of USER_DATA_KEYS) {
    const v = readKnown(props, key, undefined);
    if (typeof v === "string" && v !== "") out.push({ where: "user data", raw: v });
  }
  // Nested user data (spot fleet launch specifications, ...); values unknown during a preview are skipped.
  const walk = (v: unknown, path: string[], depth: number) => {
    if (depth > 8 || v === null || typeof v !== "object") return;
    for (const k of Object.keys(v)) {
      const child = readKnown(v as Record<string, unknown>, k, undefined);
      if (depth > 0 && USER_DATA_KEYS.has(k) && typeof child === "string" && child !== "") out.push({ where: `user data of ${path.join(".")}`, raw: child });
      else if (!(depth === 0 && USER_DATA_KEYS.has(k))) walk(child, [...path, k], depth + 1);
    }
  };
  walk(props, [], 0);
  return out;
}

const cache = new Map<string, HostPayload>();

/** Everything `props` (a resource of `type`) delivers to a host. Pure; memoized on its sources. */
export function hostPayload(type: string, props: Record<string, unknown>): HostPayload {
  const s3 = (S3_OBJECT_TYPES as readonly string[]).includes(type);
  const ecs = type === ECS_TASK;
  const ssm = (SSM_SCRIPT_TYPES as readonly string[]).includes(type);
  const container = (Object.values(CONTAINER_TYPES) as string[]).includes(type);
  const userData = s3 || ecs || ssm || container ? [] : userDataStrings(props);
  const key = JSON.stringify([
    type,
    userData,
    s3 ? [readKnown(props, "key", 0), readKnown(props, "bucket", 0), readKnown(props, "content", 0), readKnown(props, "contentBase64", 0), readKnown(props, "source", 0)] : 0,
    ecs ? readKnown(props, "containerDefinitions", 0) : 0,
    container ? [readKnown(props, "containers", 0), readKnown(props, "containerProperties", 0), readKnown(props, "ecsProperties", 0), readKnown(props, "eksProperties", 0), readKnown(props, "sourceConfiguration", 0)] : 0,
    ssm ? [readKnown(props, "content", 0), readKnown(props, "documentType", 0), readKnown(props, "documentFormat", 0), readKnown(props, "parameters", 0), readKnown(props, "taskInvocationParameters", 0)] : 0,
  ]);
  const hit = cache.get(key);
  if (hit) return hit;
  const out = new Collector();
  for (const ud of userData) decodeDocument(Buffer.from(ud.raw, "utf8"), ud.where, out, 0);
  if (s3) s3Object(props, out);
  if (ecs) ecsTask(props, out);
  if (container) otherContainers(type, props, out);
  if (type === SSM_DOCUMENT) ssmDocument(props, out);
  else if (ssm) ssmInvocation(type, props, out);
  unitCommands(out);
  followScripts(out);
  if (cache.size > 64) cache.clear();
  cache.set(key, out);
  return out;
}

/** The user data as the instance reads it (first layer decoded), or undefined. */
export function userDataText(props: Record<string, unknown>): string | undefined {
  const ud = userDataStrings(props)[0];
  if (ud === undefined) return undefined;
  return decodeBase64Text(ud.raw) ?? (isGzip(Buffer.from(ud.raw, "latin1")) ? gunzipText(Buffer.from(ud.raw, "latin1")) : ud.raw);
}

/** A file a host receives (path and content, content undefined when unseen): the shape older rules read. */
export interface WrittenFile {
  path: string;
  content?: string;
}

/** Every file a resource's user data puts on a host, decoded by hostPayload (for rules that ask for files only). */
export function shippedFiles(props: Record<string, unknown>): WrittenFile[] {
  return hostPayload("aws:ec2/instance:Instance", props).files.map((f) => ({ path: f.path, content: f.content }));
}

/** The files of the kit's host bundle (or any S3 object's content as one file), decoded by hostPayload. */
export function hostBundleFiles(props: Record<string, unknown>): WrittenFile[] {
  return hostPayload(S3_OBJECT_TYPES[0], props).files.map((f) => ({ path: f.path, content: f.content }));
}
