import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { resolveAssetViews } from "./assets";
import { shellEffects, shellWords, stripComment } from "./shellScript";
import { base64Blobs, hostPayload } from "./userData";

const INSTANCE = "aws:ec2/instance:Instance";
const S3 = "aws:s3/bucketObjectv2:BucketObjectv2";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const gzb64 = (s: string) => zlib.gzipSync(s).toString("base64");
const files = (type: string, props: Record<string, unknown>) => hostPayload(type, props).files.map((f) => [f.path, f.content]);

describe("hostPayload: user data in every cloud-init form", () => {
  const cc = `#cloud-config\n${stringify({ write_files: [{ path: "/etc/a", content: "A\n" }], runcmd: ["echo hi > /etc/b", ["systemctl", "start", "x y"]] })}`;

  it("reads the same files whether plain, base64, gzip+base64 or in userDataBase64", () => {
    const want = [["/etc/a", "A\n"], ["/etc/b", "hi\n"]];
    expect(files(INSTANCE, { userData: cc })).toEqual(want);
    expect(files(INSTANCE, { userData: b64(cc) })).toEqual(want);
    expect(files(INSTANCE, { userDataBase64: gzb64(cc) })).toEqual(want);
    expect(files("aws:ec2/launchTemplate:LaunchTemplate", { userData: b64(cc) })).toEqual(want);
    expect(hostPayload(INSTANCE, { userData: cc }).commands.map((c) => c.line)).toEqual(["echo hi > /etc/b", "systemctl start 'x y'"]);
  });

  it("decodes write_files content cloud-init's way: b64, gzip, gz+b64, !!binary, unknown encodings as they are", () => {
    const text = [
      "#cloud-config",
      "write_files:",
      `  - {path: /b64, encoding: b64, content: "${b64("one")}"}`,
      `  - {path: /gzb64, encoding: gzip+base64, content: "${gzb64("two")}"}`,
      "  - path: /binary",
      "    encoding: gzip",
      "    content: !!binary |",
      `      ${gzb64("three")}`,
      "  - {path: /odd, encoding: rot13, content: four}",
      `  - {path: /broken, encoding: gzip, content: "not gzip"}`,
    ].join("\n");
    const payload = hostPayload(INSTANCE, { userData: text });
    expect(payload.files.map((f) => [f.path, f.content ?? f.problem])).toEqual([
      ["/b64", "one"],
      ["/gzb64", "two"],
      ["/binary", "three"],
      ["/odd", "four"],
      ["/broken", 'encoding "gzip" but the content does not decompress'],
    ]);
  });

  it("reads multipart MIME, base64 and quoted-printable parts, by their content type", () => {
    const mime = [
      'Content-Type: multipart/mixed; boundary="==B=="',
      "MIME-Version: 1.0",
      "",
      "--==B==",
      "Content-Type: text/cloud-config",
      "Content-Transfer-Encoding: base64",
      "",
      b64(stringify({ write_files: [{ path: "/from-cc", content: "cc" }] })),
      "--==B==",
      "Content-Type: text/x-shellscript",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "#!/bin/sh",
      "printf 'qp=3Dyes' > /from-shell",
      "--==B==--",
      "",
    ].join("\n");
    const payload = hostPayload(INSTANCE, { userData: mime });
    expect(payload.files.map((f) => [f.path, f.content])).toEqual([["/from-cc", "cc"], ["/from-shell", "qp=yes"]]);
    expect(payload.files[1].via).toMatch(/MIME part 2 \(text\/x-shellscript\)/);
  });

  it("reads #cloud-config-archive entries and a Jinja header", () => {
    const archive = `#cloud-config-archive\n${stringify([{ type: "text/x-shellscript", content: "#!/bin/sh\necho x > /a\n" }, { content: "#cloud-config\nwrite_files: [{path: /b, content: why}]\n" }])}`;
    expect(files(INSTANCE, { userData: archive })).toEqual([["/a", "x\n"], ["/b", "why"]]);
    expect(files(INSTANCE, { userData: "## template: jinja\n#cloud-config\nwrite_files: [{path: /j, content: z}]\n" })).toEqual([["/j", "z"]]);
  });

  it("names what it cannot decode instead of passing it over", () => {
    expect(hostPayload(INSTANCE, { userData: "#cloud-config\nwrite_files: [\n" }).problems.join()).toMatch(/not valid YAML/);
    expect(hostPayload(INSTANCE, { userDataBase64: Buffer.from([0x1f, 0x8b, 1, 2, 3]).toString("base64") }).problems.join()).toMatch(/does not decompress/);
  });

  it("finds user data nested in launch specifications, and cloud-init's passwords", () => {
    expect(files("aws:ec2/spotFleetRequest:SpotFleetRequest", { launchSpecifications: [{ userData: cc }] })).toEqual([["/etc/a", "A\n"], ["/etc/b", "hi\n"]]);
    const texts = hostPayload(INSTANCE, { userData: "#cloud-config\nchpasswd: {list: 'root:hunter2'}\n" }).texts.map((t) => t.text);
    expect(texts).toContain("password=hunter2\n");
  });

  it("reads units' Exec lines as commands", () => {
    const unit = "[Service]\nExecStart=-/usr/bin/openclaw gateway \\\n  --bind lan\n";
    const payload = hostPayload(INSTANCE, { userData: `#cloud-config\n${stringify({ write_files: [{ path: "/etc/systemd/system/gw.service.d/x.conf", content: unit }] })}` });
    expect(payload.commands.map((c) => [c.via, c.line])).toContainEqual(["unit /etc/systemd/system/gw.service.d/x.conf", "/usr/bin/openclaw gateway --bind lan"]);
  });
});

describe("hostPayload: S3 objects and containers", () => {
  it("unpacks the kit's host bundle and reads a plain object as a file at its key", () => {
    const bundle = zlib.gzipSync(JSON.stringify([{ path: "/etc/x", mode: "0600", content: b64("bundled") }])).toString("base64");
    expect(files(S3, { bucket: "b", key: "host-bundle/1.json.gz", contentBase64: bundle })).toEqual([["/etc/x", "bundled"]]);
    expect(files(S3, { bucket: "b", key: "gw/openclaw.json", content: "{}" })).toEqual([["gw/openclaw.json", "{}"]]);
    expect(files(S3, { bucket: "b", key: "boot.sh", content: "#!/bin/sh\necho a > /etc/a\n" })).toEqual([["boot.sh", "#!/bin/sh\necho a > /etc/a\n"], ["/etc/a", "a\n"]]);
  });

  it("reads a StringAsset's text once resolved, and cannot see a FileAsset's bytes", async () => {
    const props: Record<string, unknown> = { bucket: "b", key: "a.env", source: { __pulumiAsset: true, text: Promise.resolve("A=1\n") } };
    await resolveAssetViews(props);
    expect(files(S3, props)).toEqual([["a.env", "A=1\n"]]);
    const file: Record<string, unknown> = { bucket: "b", key: "b.env", source: { __pulumiAsset: true, path: Promise.resolve("/home/me/.env") } };
    await resolveAssetViews(file);
    expect(hostPayload(S3, file).unseen.join()).toMatch(/uploaded from the file \/home\/me\/\.env/);
  });

  it("reads an ECS container's command and environment", () => {
    const containerDefinitions = JSON.stringify([{ name: "gw", command: ["openclaw", "gateway", "--bind", "lan"], environment: [{ name: "A", value: "1" }] }]);
    const payload = hostPayload("aws:ecs/taskDefinition:TaskDefinition", { containerDefinitions });
    expect(payload.commands.map((c) => c.line)).toEqual(["openclaw gateway --bind lan"]);
    expect(payload.texts.map((t) => t.text)).toContain("A=1\n");
  });
});

describe("shell scripts", () => {
  it("reads heredocs (quoted, <<-, tee, install /dev/stdin) and redirects", () => {
    const script = [
      "#!/bin/bash",
      "cat > /etc/one <<'EOF'",
      "one $HOME",
      "EOF",
      "tee -a /etc/two <<-END >/dev/null",
      "\ttwo",
      "\tEND",
      "install -m 0600 /dev/stdin /etc/three <<EOF",
      "three",
      "EOF",
      "printf 'four\\n' >> /etc/four # a comment",
      "aws s3 cp s3://b/k - > /etc/five",
    ].join("\n");
    const fx = shellEffects(script);
    expect(fx.files).toEqual([
      { path: "/etc/one", content: "one $HOME\n", append: false },
      { path: "/etc/two", content: "two\n", append: true },
      { path: "/etc/three", content: "three\n", append: false },
      { path: "/etc/four", content: "four\n", append: true },
      { path: "/etc/five", content: undefined, append: false },
    ]);
    expect(fx.commands).toEqual(["cat > /etc/one", "tee -a /etc/two >/dev/null", "install -m 0600 /dev/stdin /etc/three", "printf 'four\\n' >> /etc/four", "aws s3 cp s3://b/k - > /etc/five"]);
  });

  it("decodes `echo <base64> | base64 -d` and heredoc bodies piped through base64 and gunzip", () => {
    expect(shellEffects(`echo ${b64("secret file")} | base64 -d > /etc/x`).files).toEqual([{ path: "/etc/x", content: "secret file", append: false }]);
    expect(shellEffects(`base64 -d <<EOF | gunzip > /etc/y\n${gzb64("zipped")}\nEOF\n`).files).toEqual([{ path: "/etc/y", content: "zipped", append: false }]);
  });

  it("joins continuation lines, strips comments outside quotes, splits words", () => {
    expect(shellEffects("openclaw gateway \\\n  --bind lan # not loopback\n").commands).toEqual(["openclaw gateway --bind lan"]);
    expect(stripComment(`echo "a # b" # c`)).toBe(`echo "a # b"`);
    expect(shellWords(`FOO=1 openclaw config set gateway.auth '{"mode":"none"}'`)).toEqual(["FOO=1", "openclaw", "config", "set", "gateway.auth", '{"mode":"none"}']);
  });

  it("finds base64 blobs that decode to text, not random tokens", () => {
    expect(base64Blobs(`x ${b64("ANTHROPIC_API_KEY=abc")} y`)).toEqual(["ANTHROPIC_API_KEY=abc"]);
    expect(base64Blobs("53994636405b7629aced7dfdd411975b075338c6389baf1800fcdb21b6cd63f8")).toEqual([]);
  });
});
