//! The MCP endpoint through the function's handler (API Gateway events, in-memory store): the
//! transport's HTTP rules, each protocol version, the tools, metering, refusals and headers. The
//! official SDK clients and the conformance suite talk to it over the wire in `mcp_clients.rs`.

use integration_tests::range_server::{Behaviour, RangeServer};
use integration_tests::{Event, body_json, header, memory_app, serve, unregistered_key};
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::http::App;
use serde_json::{Value, json};
use std::sync::Arc;

/// Versions with the `initialize` handshake that the server negotiates as asked.
const HANDSHAKE_VERSIONS: [&str; 4] = ["2025-03-26", "2025-06-18", "2025-11-25", "2024-11-05"];

struct Mcp {
    app: Arc<App>,
    breaches: RangeCache<HibpClient>,
    _ranges: RangeServer,
}

struct Answer {
    status: u16,
    headers: lambda_http::http::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// A `tools/call` answer's result.
    fn result(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.body);
        let json = self.json();
        assert!(json["error"].is_null(), "{json}");
        json["result"].clone()
    }
}

impl Mcp {
    /// The MCP function on `config`, with a local range server that knows "password" as its
    /// breach source.
    fn new(config: Config) -> Mcp {
        let ranges = RangeServer::start(&[("password", 9_545_824)], &[], Behaviour::Normal);
        Mcp {
            app: memory_app(config),
            breaches: RangeCache::new(HibpClient::new(&ranges.url())),
            _ranges: ranges,
        }
    }

    async fn send(&self, event: Event) -> Answer {
        Mcp::answer(serve(&self.app, &self.breaches, event.request()).await)
    }

    fn answer(response: lambda_http::http::Response<lambda_http::Body>) -> Answer {
        assert_eq!(header(&response, "cache-control"), Some("no-store"));
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: integration_tests::body_text(&response),
        }
    }

    /// A JSON-RPC message as a client sends it over Streamable HTTP.
    fn post(message: &Value) -> Event {
        Event::post("/mcp", &message.to_string())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
    }

    async fn rpc(&self, method: &str, params: Value, headers: &[(&str, &str)]) -> Answer {
        self.send(Mcp::rpc_event(method, params, headers)).await
    }

    /// The event of a JSON-RPC request as a client of the current protocol sends it.
    fn rpc_event(method: &str, params: Value, headers: &[(&str, &str)]) -> Event {
        let mut event =
            Mcp::post(&json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}))
                .header("MCP-Protocol-Version", "2025-11-25");
        for (name, value) in headers {
            event = event.header(name, value);
        }
        event
    }

    async fn call(&self, tool: &str, arguments: Value, headers: &[(&str, &str)]) -> Answer {
        self.rpc("tools/call", Mcp::call_params(tool, arguments), headers)
            .await
    }

    fn call_params(tool: &str, arguments: Value) -> Value {
        json!({"name": tool, "arguments": arguments})
    }

    /// The handler CPU of one `tools/call`, and its answer (the test's making of the event and
    /// reading of the answer, which grow with their size, are not counted).
    async fn cpu_of_call(&self, tool: &str, arguments: Value) -> (std::time::Duration, Answer) {
        let params = Mcp::call_params(tool, arguments);
        let request = Mcp::rpc_event("tools/call", params, &[]).request();
        let start = integration_tests::thread_cpu();
        let response = serve(&self.app, &self.breaches, request).await;
        let cpu = integration_tests::thread_cpu() - start;
        (cpu, Mcp::answer(response))
    }

    async fn register(&self, email: &str) -> String {
        let event = Event::post("/v1/keys/register", &json!({"email": email}).to_string());
        let response = serve(&self.app, &self.breaches, event.request()).await;
        body_json(&response)["api_key"].as_str().unwrap().to_owned()
    }
}

fn initialize(version: &str) -> Value {
    json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}
        }
    })
}

#[tokio::test]
async fn initialize_negotiates_each_handshake_version_and_counts_nothing() {
    let mcp = Mcp::new(Config::default());
    for version in HANDSHAKE_VERSIONS {
        let answer = mcp.send(Mcp::post(&initialize(version))).await;
        assert_eq!(answer.status, 200, "{version}: {}", answer.body);
        assert!(
            answer
                .header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(answer.header("mcp-session-id"), None, "stateless");
        let result = answer.result();
        assert_eq!(result["protocolVersion"], version);
        assert_eq!(result["serverInfo"]["name"], "passwordapi");
        // The instructions name every tool.
        let instructions = result["instructions"].as_str().unwrap();
        for tool in passwordapi::http::mcp::tools::ToolName::ALL {
            assert!(instructions.contains(tool.as_str()), "{}", tool.as_str());
        }
        assert!(result["capabilities"]["tools"].is_object());
        assert!(answer.header("x-ratelimit-remaining").is_none());
    }
    // An unknown future version: the server answers with its latest handshake version.
    let answer = mcp.send(Mcp::post(&initialize("2099-01-01"))).await;
    assert_eq!(answer.result()["protocolVersion"], "2025-11-25");

    // The 2026-07-28 revision has no handshake: server/discover, then requests carrying their
    // version in _meta.
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    let discover = Mcp::post(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta}}),
    )
    .header("MCP-Protocol-Version", "2026-07-28")
    .header("Mcp-Method", "server/discover");
    let answer = mcp.send(discover).await;
    let result = answer.result();
    assert!(
        result["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!("2026-07-28")),
        "{result}"
    );
    let call = Mcp::post(&json!({
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "generate_password", "arguments": {"length": 24}, "_meta": meta}
    }))
    .header("MCP-Protocol-Version", "2026-07-28")
    .header("Mcp-Method", "tools/call")
    .header("Mcp-Name", "generate_password");
    let answer = mcp.send(call).await;
    let result = answer.result();
    assert_eq!(result["structuredContent"]["length"], 24, "{result}");
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("49"));

    // tools/list and ping count nothing either.
    mcp.rpc("tools/list", json!({}), &[]).await.result();
    mcp.rpc("ping", json!({}), &[]).await.result();
    let answer = mcp.call("generate_password", json!({}), &[]).await;
    answer.result();
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("48"));
}

#[tokio::test]
async fn the_transport_answers_as_the_spec_says() {
    let mcp = Mcp::new(Config::default());
    // No GET stream and no session to DELETE: 405 with Allow, as every route answers.
    for method in ["GET", "DELETE", "PUT"] {
        let answer = mcp.send(Event::new(method, "/mcp")).await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.header("allow"), Some("POST, OPTIONS"));
        assert_eq!(answer.json()["error"], "METHOD_NOT_ALLOWED");
    }
    // A notification is accepted without a body.
    let answer = mcp
        .send(Mcp::post(
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        ))
        .await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert!(answer.body.is_empty());
    // So is one the server does not know (MCP: ignore it), params null included.
    let answer = mcp
        .send(Mcp::post(
            &json!({"jsonrpc": "2.0", "method": "", "params": null}),
        ))
        .await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    // What the transport refuses is the API's JSON error with a stable code, never a 5xx.
    let json_rpc = "application/json, text/event-stream";
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}).to_string();
    for (body, content_type, accept, version, status, code) in [
        (
            "{",
            "application/json",
            json_rpc,
            None,
            400,
            "INVALID_JSON_BODY",
        ),
        (
            r#"{"a": 1}"#,
            "application/json",
            json_rpc,
            None,
            400,
            "INVALID_JSON_BODY",
        ),
        (
            &ping,
            "application/json",
            "text/html",
            None,
            406,
            "NOT_ACCEPTABLE",
        ),
        (
            &ping,
            "application/json",
            "application/json",
            None,
            406,
            "NOT_ACCEPTABLE",
        ),
        (
            &ping,
            "text/plain",
            json_rpc,
            None,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            &ping,
            "application/json",
            json_rpc,
            Some("1999-01-01"),
            400,
            "INVALID_MCP_REQUEST",
        ),
    ] {
        let mut event = Event::post("/mcp", body)
            .header("Content-Type", content_type)
            .header("Accept", accept);
        if let Some(version) = version {
            event = event.header("MCP-Protocol-Version", version);
        }
        let answer = mcp.send(event).await;
        assert_eq!(
            answer.status, status,
            "{body} {content_type} {accept}: {}",
            answer.body
        );
        assert!(
            answer
                .header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(
            answer.json()["error"],
            code,
            "{body} {content_type} {accept}"
        );
        assert!(!answer.json()["message"].as_str().unwrap().is_empty());
    }
    // A method the server does not have: JSON-RPC's own error, in a 200.
    let answer = mcp.rpc("resources/list", json!({}), &[]).await;
    assert_eq!(
        (answer.status, &answer.json()["error"]["code"]),
        (200, &json!(-32601))
    );
    // The body bound of every endpoint.
    let big = json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x".repeat(17 * 1024)}});
    let answer = mcp.send(Mcp::post(&big)).await;
    assert_eq!(
        (answer.status, answer.json()["error"].as_str()),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );
    // An unknown tool is a protocol error (-32602), not a tool result.
    let answer = mcp.call("launch_rocket", json!({}), &[]).await;
    assert_eq!(answer.json()["error"]["code"], -32602, "{}", answer.body);
}

#[tokio::test]
async fn a_browser_origin_must_be_allowed() {
    let closed = Mcp::new(Config::default());
    let open = Mcp::new(Config {
        allowed_origins: vec!["https://console.example.com".to_owned()],
        ..Config::default()
    });
    for (mcp, origin, allowed) in [
        (&closed, "http://evil.example.com", false),
        (&closed, "http://localhost:9000", false),
        (&closed, "null", false),
        (&open, "https://console.example.com", true),
        (&open, "HTTPS://Console.Example.com", true),
        (&open, "https://console.example.com:8443", false),
        (&open, "http://console.example.com", false),
        (&open, "https://console.example.com.evil.example", false),
    ] {
        let answer = mcp
            .send(Mcp::post(&initialize("2025-11-25")).header("Origin", origin))
            .await;
        if allowed {
            assert_eq!(answer.status, 200, "{origin}: {}", answer.body);
        } else {
            assert_eq!(answer.status, 403, "{origin}");
            assert_eq!(answer.json()["error"], "ORIGIN_NOT_ALLOWED");
        }
    }
    // Agents send no Origin.
    let answer = closed.send(Mcp::post(&initialize("2025-11-25"))).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn tools_list_describes_four_annotated_tools_with_both_schemas() {
    let mcp = Mcp::new(Config::default());
    let tools = mcp.rpc("tools/list", json!({}), &[]).await.result()["tools"].clone();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "generate_password",
            "evaluate_password",
            "check_policy",
            "get_usage"
        ]
    );
    for tool in tools.as_array().unwrap() {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert_eq!(tool["inputSchema"]["additionalProperties"], false, "{tool}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{tool}");
        assert!(!tool["description"].as_str().unwrap().is_empty());
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
        assert_eq!(tool["annotations"]["destructiveHint"], false, "{tool}");
    }
    let open_world: Vec<bool> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["annotations"]["openWorldHint"].as_bool().unwrap())
        .collect();
    assert_eq!(
        open_world,
        [false, true, true, false],
        "only evaluate and check_policy ask the breach source"
    );
    assert_eq!(tools[1]["inputSchema"]["required"], json!(["password"]));
    assert_eq!(
        tools[2]["inputSchema"]["required"],
        json!(["password", "policy"])
    );
    // The conformance suite's test tools exist only under MCP_CONFORMANCE_TOOLS.
    let unknown = mcp.call("test_simple_text", json!({}), &[]).await.json();
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    let conformance = Mcp::new(Config {
        mcp_conformance_tools: true,
        ..Config::default()
    });
    let listed = conformance.rpc("tools/list", json!({}), &[]).await.result()["tools"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(listed, 4 + passwordapi::http::mcp::conformance::NAMES.len());
    let answer = conformance
        .call("test_simple_text", json!({}), &[])
        .await
        .result();
    assert_eq!(
        answer["content"][0]["text"],
        "This is a simple text response for testing."
    );
}

#[tokio::test]
async fn tools_answer_with_structured_content_and_a_text_copy() {
    let mcp = Mcp::new(Config::default());
    let result = mcp
        .call(
            "generate_password",
            json!({"mode": "passphrase", "words": 5, "separator": "."}),
            &[],
        )
        .await
        .result();
    assert_eq!(result["isError"], false);
    let structured = &result["structuredContent"];
    assert_eq!(
        structured["password"].as_str().unwrap().split('.').count(),
        5
    );
    assert_eq!(structured["tier"], "anonymous");
    let text: Value = serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(&text, structured);

    // format=csv: the text copy is the CSV document, the structured content still the JSON.
    let result = mcp
        .call(
            "generate_password",
            json!({"count": 3, "format": "csv"}),
            &[],
        )
        .await
        .result();
    let csv = result["content"][0]["text"].as_str().unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.starts_with("password\r\n"));
    assert_eq!(
        result["structuredContent"]["passwords"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let result = mcp
        .call(
            "evaluate_password",
            json!({"password": "password", "hibp": false}),
            &[],
        )
        .await
        .result();
    assert_eq!(result["structuredContent"]["score"], 0);
    assert_eq!(result["structuredContent"]["breach_check"], "skipped");
    assert!(result["structuredContent"]["warning"].is_string());
    // check_policy: the evaluation with its verdict.
    let result = mcp
        .call(
            "check_policy",
            json!({"password": "abcdefghijklmnop", "policy": "nist", "hibp": false}),
            &[],
        )
        .await
        .result();
    let policy = &result["structuredContent"]["policy"];
    assert_eq!(policy["violations"][0]["rule"], "sequential", "{policy}");
    assert_eq!(policy["compliant"], false);
    // hibp defaults to true: the local range server answers.
    let result = mcp
        .call(
            "evaluate_password",
            json!({"password": "Zebra!Quartz-7731-lantern", "user_inputs": ["zebra"]}),
            &[],
        )
        .await
        .result();
    let content = &result["structuredContent"];
    assert_eq!(
        (&content["breach_check"], &content["breached"]),
        (&json!("ok"), &json!(false)),
        "{content}"
    );
    let result = mcp
        .call("evaluate_password", json!({"password": "password"}), &[])
        .await
        .result();
    let content = &result["structuredContent"];
    assert_eq!(
        (&content["breached"], &content["breach_count"]),
        (&json!(true), &json!(9_545_824)),
        "{content}"
    );
}

#[tokio::test]
async fn bad_arguments_are_tool_errors_with_the_rest_codes() {
    let mcp = Mcp::new(Config::default());
    for (tool, arguments, code, param) in [
        (
            "generate_password",
            json!({"length": 3}),
            "INVALID_PARAMETER",
            Some("length"),
        ),
        (
            "generate_password",
            json!({"length": "12"}),
            "INVALID_PARAMETER",
            Some("length"),
        ),
        (
            "generate_password",
            json!({"colour": "red"}),
            "UNKNOWN_PARAMETER",
            Some("colour"),
        ),
        (
            "generate_password",
            json!({"apiKey": unregistered_key()}),
            "UNKNOWN_PARAMETER",
            Some("apiKey"),
        ),
        (
            "generate_password",
            json!({"count": 11}),
            "INVALID_PARAMETER",
            Some("count"),
        ),
        (
            "evaluate_password",
            json!({}),
            "PASSWORD_EMPTY",
            Some("password"),
        ),
        (
            "evaluate_password",
            json!({"password": "x".repeat(129)}),
            "PASSWORD_TOO_LONG",
            Some("password"),
        ),
        (
            "evaluate_password",
            json!({"password": "x", "hibp": "no"}),
            "INVALID_PARAMETER",
            Some("hibp"),
        ),
        ("get_usage", json!({}), "MISSING_AUTH_HEADER", None),
        (
            "check_policy",
            json!({"password": "x"}),
            "INVALID_PARAMETER",
            Some("policy"),
        ),
        (
            "check_policy",
            json!({"password": "x", "policy": {"passwordrules": "minlength: x"}}),
            "INVALID_PARAMETER",
            Some("policy"),
        ),
    ] {
        let answer = mcp.call(tool, arguments.clone(), &[]).await;
        let result = answer.result();
        assert_eq!(result["isError"], true, "{tool} {arguments}");
        let error = &result["structuredContent"];
        assert_eq!(error["error"], code, "{tool} {arguments}: {error}");
        assert_eq!(error["param"].as_str(), param, "{tool} {arguments}");
        assert!(!error["message"].as_str().unwrap().is_empty());
        let text: Value =
            serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
        assert_eq!(&text, error);
    }
    // None of them was counted: the next metered call is the first of the day.
    let answer = mcp.call("generate_password", json!({}), &[]).await;
    answer.result();
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("49"));
}

#[tokio::test]
async fn keys_work_as_in_rest_and_share_its_counter() {
    let mcp = Mcp::new(Config::default());
    let key = mcp.register("agent@example.com").await;
    let bearer = format!("Bearer {key}");
    let answer = mcp
        .call(
            "generate_password",
            json!({}),
            &[("Authorization", &bearer)],
        )
        .await;
    assert_eq!(answer.result()["structuredContent"]["tier"], "free");
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("99"));
    let answer = mcp
        .call(
            "evaluate_password",
            json!({"password": "hunter2", "hibp": false}),
            &[("X-API-Key", &key)],
        )
        .await;
    answer.result();
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("98"));
    // A REST request counts on the same day's counter.
    let breaches = RangeCache::new(HibpClient::new("http://127.0.0.1:9"));
    let rest = serve(
        &mcp.app,
        &breaches,
        Event::post("/v1/generate", "{}")
            .header("X-API-Key", &key)
            .request(),
    )
    .await;
    assert_eq!(header(&rest, "x-ratelimit-remaining"), Some("97"));
    let usage = mcp
        .call("get_usage", json!({}), &[("X-API-Key", &key)])
        .await;
    let usage = usage.result()["structuredContent"].clone();
    assert_eq!(
        (&usage["usage"], &usage["remaining"], &usage["tier"]),
        (&json!(3), &json!(97), &json!("free"))
    );

    // A wrong key is refused as REST refuses it: 401 with the stable code, before any tool runs.
    for (name, value, code) in [
        ("X-API-Key", unregistered_key(), "API_KEY_NOT_FOUND"),
        (
            "Authorization",
            format!("Bearer {}", unregistered_key()),
            "API_KEY_NOT_FOUND",
        ),
        ("X-API-Key", "pwa_live_nope".to_owned(), "INVALID_API_KEY"),
        (
            "Authorization",
            format!("Basic {key}"),
            "INVALID_AUTH_HEADER",
        ),
    ] {
        for method in ["initialize", "tools/call"] {
            let params = if method == "initialize" {
                initialize("2025-11-25")["params"].clone()
            } else {
                json!({"name": "generate_password", "arguments": {}})
            };
            let answer = mcp.rpc(method, params, &[(name, &value)]).await;
            assert_eq!(answer.status, 401, "{name} {method}");
            assert_eq!(answer.json()["error"], code, "{name} {method}");
        }
    }
}

#[tokio::test]
async fn an_exceeded_quota_is_a_tool_error_with_the_reset_time() {
    let mcp = Mcp::new(Config {
        anonymous: integration_tests::plan("anonymous", 2, 10),
        ..Config::default()
    });
    for remaining in ["1", "0"] {
        let answer = mcp.call("generate_password", json!({}), &[]).await;
        assert_eq!(answer.result()["isError"], false);
        assert_eq!(answer.header("x-ratelimit-remaining"), Some(remaining));
    }
    let answer = mcp
        .call(
            "evaluate_password",
            json!({"password": "x", "hibp": false}),
            &[],
        )
        .await;
    let result = answer.result();
    assert_eq!(result["isError"], true);
    let error = &result["structuredContent"];
    assert_eq!(error["error"], "DEMO_LIMIT_EXCEEDED");
    assert_eq!(error["limit"], 2);
    let reset_at = error["reset_at"].as_i64().unwrap();
    assert_eq!(reset_at % 86_400_000, 0, "midnight UTC");
    assert!(reset_at > passwordapi::quota::now_ms());
    assert!(
        result["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("reset_at")
    );
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(
        answer.header("x-ratelimit-reset"),
        Some(reset_at.to_string().as_str())
    );
    assert_eq!(
        answer.header("retry-after"),
        None,
        "the HTTP answer is a 200"
    );
    // Unmetered methods still answer.
    mcp.rpc("tools/list", json!({}), &[]).await.result();
}

/// The hostile-cost corpus as tool calls: the same work as REST, so the same bounds against the
/// plainest request of the same output, each call measured on its first run in this process (a
/// test binary of its own, so nothing was counted or cached before it).
#[tokio::test]
async fn the_hostile_cost_corpus_is_bounded_through_mcp_as_through_rest() {
    let mcp = Mcp::new(Config {
        anonymous: integration_tests::plan(
            "anonymous",
            u32::MAX,
            integration_tests::COSTLY_MAX_COUNT,
        ),
        ..Config::default()
    });
    let tool_of = |path: &str| match path {
        "/v1/evaluate" => "evaluate_password",
        _ => "generate_password",
    };
    let cpu_of = async |tool: &str, arguments: Value| {
        let (cpu, answer) = mcp.cpu_of_call(tool, arguments).await;
        let result = answer.result();
        (cpu, result["isError"] == true, result)
    };
    // Shared by every request of the process (zxcvbn's dictionaries, the breach client): init.
    cpu_of("generate_password", json!({})).await;
    cpu_of("evaluate_password", json!({"password": "Tr0ub4dor&3"})).await;
    let mut over = Vec::new();
    for (path, body) in integration_tests::costly_requests() {
        let arguments: Value = serde_json::from_str(&body).unwrap();
        let (cpu, refused, result) = cpu_of(tool_of(path), arguments.clone()).await;
        let preview: String = body.chars().take(100).collect();
        if refused {
            // Refused as REST refuses it (a policy that cannot be met), never an internal error.
            let code = result["structuredContent"]["error"]
                .as_str()
                .unwrap()
                .to_owned();
            assert!(
                code.starts_with("INVALID_") || code.starts_with("PASSWORD_"),
                "{preview}: {code}"
            );
        }
        let plain = integration_tests::plain_counterpart(path, &arguments);
        let mut runs = Vec::new();
        for _ in 0..5 {
            runs.push(cpu_of(tool_of(path), plain.clone()).await.0);
        }
        runs.sort();
        let ratio = cpu.as_secs_f64() / runs[2].as_secs_f64();
        eprintln!(
            "{path} {:>9.3} ms ({ratio:.1}× plain) {preview}",
            cpu.as_secs_f64() * 1e3
        );
        // The bounds of hostile_http's REST run of the same corpus.
        let bound = integration_tests::cost_bound(path);
        if ratio > bound {
            over.push(format!("{preview}: {ratio:.1}× (bound {bound}×)"));
        }
    }
    assert!(
        over.is_empty(),
        "over the bound of their plain request: {over:#?}"
    );
}
