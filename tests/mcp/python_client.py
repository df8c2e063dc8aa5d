"""The official Python MCP SDK (PyPI `mcp`) against the local stack's /mcp, over Streamable HTTP.

Usage: python_client.py BASE_URL SECRET UNREGISTERED_KEY (SECRET: a password to evaluate that must not
reach the logs; UNREGISTERED_KEY: a well-formed key no account has). Run by tests/mcp_clients.rs, which starts the stack (cargo lambda
watch, DynamoDB Local, a breach range server that knows "password"). The SDK validates every
structured result against the tool's output schema. Exits non-zero on the first failed check.
"""

import asyncio
import json
import sys
import urllib.request
import uuid

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

BASE = sys.argv[1].rstrip("/")
SECRET = sys.argv[2]
UNREGISTERED = sys.argv[3]
URL = f"{BASE}/mcp"


def rest(method, path, body=None, key=None):
    request = urllib.request.Request(
        f"{BASE}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **({"X-API-Key": key} if key else {})},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def client(headers, mode):
    transport = streamable_http_client(URL, http_client=create_mcp_http_client(headers=headers))
    return Client(transport, mode=mode)


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok: {what}")


async def with_key(key, mode):
    async with client({"Authorization": f"Bearer {key}"}, mode) as mcp:
        print(f"{mode}: protocol {mcp.protocol_version}")
        tools = await mcp.list_tools()
        names = [t.name for t in tools.tools]
        check(names == ["generate_password", "evaluate_password", "check_policy", "get_usage"], f"{mode}: tools {names}")
        check(all(t.output_schema and t.annotations for t in tools.tools), f"{mode}: schemas and annotations")

        generated = await mcp.call_tool("generate_password", {"length": 20, "count": 2})
        check(not generated.is_error, f"{mode}: generate is not an error")
        passwords = generated.structured_content["passwords"]
        check(len(passwords) == 2 and all(len(p) == 20 for p in passwords), f"{mode}: two 20-character passwords")
        check(json.loads(generated.content[0].text) == generated.structured_content, f"{mode}: text copy")
        phrase = await mcp.call_tool("generate_password", {"mode": "passphrase", "words": 4, "separator": " "})
        check(len(phrase.structured_content["password"].split(" ")) == 4, f"{mode}: passphrase")

        evaluated = await mcp.call_tool("evaluate_password", {"password": "password"})
        result = evaluated.structured_content
        check(result["score"] == 0 and result["breached"] is True, f"{mode}: 'password' is weak and breached")
        check(result["breach_count"] == 9545824, f"{mode}: breach count from the range server")

        usage = await mcp.call_tool("get_usage", {})
        check(usage.structured_content["usage"] == 3, f"{mode}: usage counts the three metered calls")

        bad = await mcp.call_tool("generate_password", {"length": 3})
        error = bad.structured_content
        check(bad.is_error and error["error"] == "INVALID_PARAMETER" and error["param"] == "length",
              f"{mode}: a bad argument is an isError result with the REST code")
        check("INVALID_PARAMETER" in bad.content[0].text, f"{mode}: the text names the code")

        # A hard limit one above today's usage: one more call, then the quota refuses.
        rest("PUT", "/v1/keys/usage", {"hard_limit": 4}, key)
        last = await mcp.call_tool("evaluate_password", {"password": "correct horse", "hibp": False})
        check(not last.is_error, f"{mode}: the last call of the day")
        over = await mcp.call_tool("generate_password", {})
        error = over.structured_content
        check(over.is_error and error["error"] == "HARD_LIMIT_EXCEEDED", f"{mode}: over the limit: {error}")
        check(error["limit"] == 4 and error["reset_at"] % 86_400_000 == 0, f"{mode}: limit and reset time")
        check("reset_at" in over.content[0].text, f"{mode}: the text carries the reset time")
        await mcp.list_tools()
        print(f"{mode}: tools/list still answers over the limit")


async def anonymous():
    async with client({}, "auto") as mcp:
        generated = await mcp.call_tool("generate_password", {})
        check(generated.structured_content["tier"] == "anonymous", "no key: the anonymous tier")
        evaluated = await mcp.call_tool("evaluate_password", {"password": SECRET, "user_inputs": ["quokka"]})
        check(evaluated.structured_content["breach_count"] == 0, "a password the range server does not know")
        verdict = await mcp.call_tool("check_policy", {"password": SECRET, "policy": "nist", "user_inputs": ["quokka"]})
        policy = verdict.structured_content["policy"]
        check([v["rule"] for v in policy["violations"]] == ["context_word"] and policy["compliant"] is False,
              f"check_policy names the context word: {policy['violations']}")
        usage = await mcp.call_tool("get_usage", {})
        check(usage.is_error and usage.structured_content["error"] == "MISSING_AUTH_HEADER",
              "get_usage without a key")


async def wrong_key():
    for headers in ({"X-API-Key": UNREGISTERED}, {"Authorization": "Bearer pwa_live_short"}):
        try:
            async with client(headers, "legacy") as mcp:
                await mcp.list_tools()
        except Exception as error:  # the SDK turns the 401 into an error of its own
            check(True, f"wrong key refused: {type(error).__name__}")
        else:
            raise AssertionError(f"a wrong key was accepted: {headers}")
    # The refusal itself, as the SDK's HTTP client sees it.
    response = httpx2.post(URL, headers={"X-API-Key": UNREGISTERED, "Accept": "application/json, text/event-stream"},
                           json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    check(response.status_code == 401 and response.json()["error"] == "API_KEY_NOT_FOUND", "401 API_KEY_NOT_FOUND")


async def main():
    for mode in ("auto", "legacy"):
        key = rest("POST", "/v1/keys/register", {"email": f"python-{mode}-{uuid.uuid4().hex[:8]}@example.com"})["api_key"]
        await with_key(key, mode)
    await anonymous()
    await wrong_key()
    print("python client: all checks passed")


asyncio.run(main())
