// A stand-in for Anthropic's Messages API (streaming), for driving real agent turns in tests. A user
// message "RUN:<json>" makes the first answer one tool call per entry of <json> (an array of
// {tool?, ...input}; tool defaults to exec); the next answer is "RESULTS:" and the tool results in
// order, as JSON. Anything else gets "ok". Usage: node fakeModel.mjs PORT [LOGFILE]
import * as fs from "node:fs";
import * as http from "node:http";

const port = Number(process.argv[2]);
const logFile = process.argv[3];
const log = (o) => logFile && fs.appendFileSync(logFile, `${JSON.stringify(o)}\n`);
const textOf = (c) =>
  typeof c === "string" ? c : (c ?? []).map((b) => (b.type === "text" ? b.text : b.type === "tool_result" ? JSON.stringify(b.content) : "")).join(" ");

function sse(res, events) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const [type, data] of events) res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  res.end();
}

http
  .createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      let j = {};
      try {
        j = JSON.parse(body);
      } catch {}
      const msgs = j.messages ?? [];
      const usage = { input_tokens: 10, output_tokens: 5 };
      const start = ["message_start", { message: { id: `msg_${Date.now()}`, type: "message", role: "assistant", model: j.model, content: [], stop_reason: null, usage } }];
      let runIdx = -1;
      msgs.forEach((m, i) => {
        if (m.role === "user" && /RUN:/.test(textOf(m.content))) runIdx = i;
      });
      const results = [];
      for (const m of msgs.slice(runIdx + 1)) for (const b of Array.isArray(m.content) ? m.content : []) if (b.type === "tool_result") results.push(b);
      const m = runIdx >= 0 ? /RUN:(\[[\s\S]*\])\s*$/m.exec(textOf(msgs[runIdx].content).split("\n").find((l) => l.includes("RUN:")) ?? "") : null;
      log({ path: req.url, run: Boolean(m), results: results.length });
      if (m && results.length === 0) {
        const calls = JSON.parse(m[1]);
        const blocks = calls.flatMap((c, i) => {
          const { tool = "exec", ...input } = c;
          return [
            ["content_block_start", { index: i, content_block: { type: "tool_use", id: `toolu_${i}_${Date.now()}`, name: tool, input: {} } }],
            ["content_block_delta", { index: i, delta: { type: "input_json_delta", partial_json: JSON.stringify(input) } }],
            ["content_block_stop", { index: i }],
          ];
        });
        return sse(res, [start, ...blocks, ["message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage }], ["message_stop", {}]]);
      }
      const text = m ? `RESULTS:${JSON.stringify(results.map((r) => ({ id: r.tool_use_id, error: r.is_error === true, text: textOf(r.content) })))}` : "ok";
      sse(res, [
        start,
        ["content_block_start", { index: 0, content_block: { type: "text", text: "" } }],
        ["content_block_delta", { index: 0, delta: { type: "text_delta", text } }],
        ["content_block_stop", { index: 0 }],
        ["message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage }],
        ["message_stop", {}],
      ]);
    });
  })
  .listen(port, "127.0.0.1", () => console.log(`fake model on ${port}`));
