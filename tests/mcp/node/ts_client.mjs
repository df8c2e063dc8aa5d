// The official TypeScript MCP SDK (npm @modelcontextprotocol/sdk) against the local stack's /mcp,
// over Streamable HTTP. Usage: node ts_client.mjs BASE_URL SECRET UNREGISTERED_KEY (SECRET: a
// password to evaluate that must not reach the logs; UNREGISTERED_KEY: a well-formed key no account
// has). Run by tests/mcp_clients.rs, which
// starts the stack (cargo lambda watch, DynamoDB Local, a breach range server that knows
// "password"). The SDK validates structured results against the tools' output schemas. Exits
// non-zero on the first failed check.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

const base = process.argv[2].replace(/\/$/, "");
const url = new URL(`${base}/mcp`);
const secret = process.argv[3];
const unregistered = process.argv[4];

function check(condition, what) {
  assert.ok(condition, what);
  console.log(`ok: ${what}`);
}

async function rest(method, path, body, key) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...(key ? { "X-API-Key": key } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

async function connect(headers) {
  const client = new Client({ name: "passwordapi-ts-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  await client.connect(transport);
  console.log(`protocol ${transport.protocolVersion}`);
  return client;
}

async function withKey() {
  const email = `ts-${randomUUID().slice(0, 8)}@example.com`;
  const { api_key: key } = await rest("POST", "/v1/keys/register", { email });
  const client = await connect({ "X-API-Key": key });
  console.log(`server ${client.getServerVersion()?.name}`);

  const { tools } = await client.listTools();
  check(
    JSON.stringify(tools.map((t) => t.name)) ===
      JSON.stringify(["generate_password", "evaluate_password", "check_policy", "get_usage"]),
    "four tools",
  );
  const evaluate = tools.find((t) => t.name === "evaluate_password");
  check(evaluate.annotations.openWorldHint === true && evaluate.annotations.readOnlyHint === true, "annotations");

  const generated = await client.callTool({ name: "generate_password", arguments: { length: 32 } });
  check(!generated.isError && generated.structuredContent.password.length === 32, "a 32-character password");
  check(JSON.parse(generated.content[0].text).password === generated.structuredContent.password, "text copy");

  const evaluated = await client.callTool({ name: "evaluate_password", arguments: { password: "password" } });
  check(evaluated.structuredContent.score === 0, "'password' scores 0");
  check(evaluated.structuredContent.breach_count === 9545824, "breached, per the range server");

  const usage = await client.callTool({ name: "get_usage", arguments: {} });
  check(usage.structuredContent.usage === 2, "usage counts the two metered calls");

  const bad = await client.callTool({ name: "evaluate_password", arguments: { password: "" } });
  check(bad.isError && bad.structuredContent.error === "PASSWORD_EMPTY", "a bad argument is an isError result");
  const unknown = await client.callTool({ name: "generate_password", arguments: { colour: "red" } });
  check(unknown.isError && unknown.structuredContent.error === "UNKNOWN_PARAMETER", "an unknown argument");

  await rest("PUT", "/v1/keys/usage", { hard_limit: 2 }, key);
  const over = await client.callTool({ name: "generate_password", arguments: {} });
  check(over.isError && over.structuredContent.error === "HARD_LIMIT_EXCEEDED", "over the hard limit");
  check(over.structuredContent.reset_at % 86_400_000 === 0, "with the reset time (midnight UTC)");
  await client.ping();
  await client.close();
}


async function wrongKey() {
  try {
    await connect({ Authorization: `Bearer ${unregistered}` });
  } catch (error) {
    // StreamableHTTPError: the HTTP status as its code, the REST error body in its message.
    check(error.code === 401 && String(error).includes("API_KEY_NOT_FOUND"), `wrong key refused: ${error}`);
    return;
  }
  assert.fail("a wrong key was accepted");
}

async function anonymous() {
  const client = await connect({});
  const generated = await client.callTool({ name: "generate_password", arguments: { mode: "passphrase" } });
  check(generated.structuredContent.tier === "anonymous", "no key: the anonymous tier");
  const evaluated = await client.callTool({ name: "evaluate_password", arguments: { password: secret, hibp: false } });
  check(evaluated.structuredContent.breach_check === "skipped", "hibp: false skips the breach check");
  await client.close();
}

await withKey();
await wrongKey();
await anonymous();
console.log("typescript client: all checks passed");
