//! `make bench`: in-process measurements of the handlers and the warm metered path, each printed
//! with its target and a ratio against a baseline measured in the same run. CPU time is the unit
//! (at 128 MB Lambda gives about 1/14 of a vCPU, so a CPU millisecond here is ~14 ms there).
//!
//! Build it optimised: `cargo run --release -p integration-tests --example bench`.

use integration_tests::dynamo::{LocalDynamo, create_table};
use integration_tests::{Event, memory_app, thread_cpu};
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::generate::{GenerateRequest, GenerationPlan, charset, random};
use passwordapi::http::dispatch;
use passwordapi::http::mcp::McpServer;
use passwordapi::keys::{Kind, Token};
use passwordapi::quota::Day;
use passwordapi::store::dynamodb::DynamoStore;
use passwordapi::store::{Meter, Meterer, Store};
use std::time::{Duration, Instant};

use integration_tests::runtime_api as coldstart;

/// CPU time of one call of `f`, the median of `runs` batches of `per_batch` calls.
fn cpu_per_call(runs: usize, per_batch: usize, mut f: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = thread_cpu();
            for _ in 0..per_batch {
                f();
            }
            (thread_cpu() - start) / per_batch as u32
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn report(name: &str, value: String, target: &str, ratio: Option<(f64, &str)>, met: bool) {
    let ratio = ratio.map_or(String::new(), |(r, against)| format!("  {r:.1}× {against}"));
    let verdict = if met { "met" } else { "MISSED" };
    println!("{name:<44} {value:>14}   target {target:<22} {verdict}{ratio}");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Passwords people use, random ones, and inputs built to be slow for zxcvbn.
fn corpora() -> (Vec<String>, Vec<String>) {
    let common: Vec<String> = [
        "123456",
        "password",
        "123456789",
        "12345678",
        "qwerty",
        "abc123",
        "password1",
        "111111",
        "iloveyou",
        "admin",
        "welcome",
        "monkey",
        "login",
        "dragon",
        "sunshine",
        "princess",
        "football",
        "letmein",
        "shadow",
        "master",
        "P@ssw0rd",
        "Passw0rd!",
        "Summer2024!",
        "Tr0ub4dor&3",
        "correct horse battery staple",
        "hunter2",
        "qwertyuiop",
        "1q2w3e4r",
        "zaq12wsx",
        "trustno1",
        "baseball",
        "starwars",
        "whatever",
        "Jennifer1987",
        "michael!",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut random = |len: usize| -> String {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (b'!' + (state % 94) as u8) as char
            })
            .collect()
    };
    let mut typical = common;
    for len in [8, 10, 12, 16, 16, 18, 20, 24] {
        typical.push(random(len));
    }
    let leet = "4@8(3!1|0$5+7%2^6&9*#~=?<>{}[]";
    let mut adversarial = Vec::new();
    for n in [16, 24, 32, 48, 64, 100, 128] {
        adversarial.push(leet.chars().cycle().take(n).collect());
        adversarial.push("1|!l0O@a4$5".chars().cycle().take(n).collect());
        adversarial.push(
            "qwertyuiop[]asdfghjkl;'zxcvbnm,./"
                .chars()
                .cycle()
                .take(n)
                .collect(),
        );
        adversarial.push("P4$$w0rd".chars().cycle().take(n).collect());
        adversarial.push("a".repeat(n));
        adversarial.push("пароль密码パスワード🔐".chars().cycle().take(n).collect());
        adversarial.push(random(n));
    }
    (typical, adversarial)
}

/// Runs the Node.js baselines (`tests/bench/node/baselines.cjs`) on `job`; `None`, with a note,
/// when Node or its packages are missing (`make bench` installs them into target/bench-node).
fn node(job: serde_json::Value) -> Option<serde_json::Value> {
    use std::io::Write;
    let root = integration_tests::root();
    let modules = std::env::var_os("BENCH_NODE_MODULES")
        .map_or_else(|| root.join("target/bench-node/node_modules"), Into::into);
    let child = std::process::Command::new("node")
        .arg(root.join("tests/bench/node/baselines.cjs"))
        .env("NODE_PATH", &modules)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            println!("    (Node.js baselines skipped: {e})");
            return None;
        }
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if !out.status.success() {
        println!("    (Node.js baselines failed; run `make bench` to install them)");
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The API Gateway HTTP API response document the runtime sends back for `response`.
fn gateway_response(response: lambda_http::Response<lambda_http::Body>) -> Vec<u8> {
    let (parts, body) = response.into_parts();
    let mut document = ApiGatewayV2httpResponse::default();
    document.status_code = i64::from(parts.status.as_u16());
    document.headers = parts.headers;
    document.body = Some(body);
    serde_json::to_vec(&document).unwrap()
}

fn main() {
    let runtime = init_parts();
    // `BENCH_WORST_CASES_ONLY=1`: only the hostile-cost corpus.
    if std::env::var_os("BENCH_WORST_CASES_ONLY").is_some() {
        worst_cases(&runtime);
        key_verification();
        return;
    }
    // `BENCH_MIRROR_ONLY=1`: only the breach mirror's figures.
    if std::env::var_os("BENCH_MIRROR_ONLY").is_some() {
        breach_mirror_figures(&runtime);
        return;
    }
    // `BENCH_FUNCTIONS_ONLY=1`: only the functions' runs (e.g. under `perf record`).
    if std::env::var_os("BENCH_FUNCTIONS_ONLY").is_some() {
        let local = runtime.block_on(LocalDynamo::start());
        runtime.block_on(create_table(&local.client(), "bench"));
        cold_starts(&local, &corpora().0);
        return;
    }

    generate_figures(&runtime);
    evaluate_figures();
    breach_mirror_figures(&runtime);
    worst_cases(&runtime);
    key_verification();
    let local = warm_metered_write(&runtime);
    cold_starts(&local, &corpora().0);
}

/// The parts of a function's init, each timed as the first of its kind in this process; the
/// runtime the rest of the run uses.
fn init_parts() -> tokio::runtime::Runtime {
    // The functions' own log set-up, writing to a sink: each request's log line is part of its cost.
    // SAFETY: set before any other thread exists.
    unsafe { std::env::set_var("AWS_LAMBDA_LOG_FORMAT", "JSON") };
    let once = |f: &mut dyn FnMut()| {
        let start = thread_cpu();
        f();
        thread_cpu() - start
    };
    let subscriber = once(&mut || {
        passwordapi::http::init_logging(std::io::sink);
    });
    let mut runtime = None;
    let tokio = once(&mut || {
        runtime = Some(
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        );
    });
    let runtime = runtime.unwrap();
    println!(
        "passwordapi benchmarks (CPU time per call, this thread; ratios against baselines run here)\n"
    );
    // The parts of a function's init, each the first of its kind in this process.
    let dynamo_client = once(&mut || {
        std::hint::black_box(runtime.block_on(passwordapi::store::dynamodb::client(Some(
            "http://127.0.0.1:9",
        ))));
    });
    // Built on the first breach check (here refused at once: nothing listens on port 9).
    let hibp_client = once(&mut || {
        let client = HibpClient::new("http://127.0.0.1:9");
        let _ = runtime.block_on(passwordapi::evaluate::breach::BreachSource::range(
            &client, "21BD1",
        ));
    });
    let zxcvbn_warm = once(&mut || passwordapi::evaluate::warm_up());
    // The pepper as deployed functions read it at start-up, from a local Secrets Manager (moto):
    // a client and one GetSecretValue. The SDK's shared parts are already loaded (DynamoDB above),
    // as in a function.
    let secrets = runtime.block_on(integration_tests::secrets::LocalSecretsManager::start());
    let arn = runtime.block_on(secrets.create_secret("bench-pepper", &"p".repeat(64)));
    let endpoint = secrets.endpoint();
    let pepper_read = once(&mut || {
        std::hint::black_box(
            runtime
                .block_on(passwordapi::aws::pepper_from_secret(&arn, Some(&endpoint)))
                .unwrap(),
        );
    });
    drop(secrets);
    println!("init parts (first in this process, CPU):");
    for (name, cpu) in [
        ("tokio runtime", tokio),
        ("log subscriber", subscriber),
        ("DynamoDB client (aws-config)", dynamo_client),
        ("breach client, first check (not init)", hibp_client),
        ("strength estimator (warm-up; builds nothing)", zxcvbn_warm),
        ("pepper read (Secrets Manager, local)", pepper_read),
    ] {
        println!("    {name:<40} {:>8.2} ms", cpu.as_secs_f64() * 1e3);
    }
    println!();
    runtime
}

/// Generate: the handler, event in → response out, against raw generation and Node's
/// `crypto.randomInt` generator of the same policy, and where the handler's time goes.
fn generate_figures(runtime: &tokio::runtime::Runtime) {
    // Generate: event in → response out, metering on the in-memory store.
    let config = Config {
        anonymous: integration_tests::plan("anonymous", u32::MAX, 10),
        ..Config::default()
    };
    let app = memory_app(config);
    let event = Event::post("/v1/generate", "{}").to_json().to_string();
    // What the function does per invocation: the runtime's event → request, the handler (with the
    // JSON log line, written to a sink), the response → the API Gateway response document.
    let invoke = |event: &str| -> Vec<u8> {
        let request = lambda_http::request::from_str(event).unwrap();
        let response = runtime.block_on(dispatch::generate(&app, request)).unwrap();
        assert_eq!(response.status(), 200);
        gateway_response(response)
    };
    let handler = cpu_per_call(15, 2000, || {
        std::hint::black_box(invoke(&event));
    });
    // The same request as an MCP tools/call of generate_password, through the mcp function's
    // handler (the pipeline, rmcp's stateless transport, the tool).
    let server = McpServer::new(
        std::sync::Arc::clone(&app),
        RangeCache::new(HibpClient::new("http://127.0.0.1:9")),
    );
    let call = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "generate_password", "arguments": {}}
    });
    let mcp_event = Event::post("/mcp", &call.to_string())
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .to_json()
        .to_string();
    let invoke_mcp = |event: &str| -> Vec<u8> {
        let request = lambda_http::request::from_str(event).unwrap();
        let response = runtime.block_on(dispatch::mcp(&server, request)).unwrap();
        assert_eq!(response.status(), 200);
        gateway_response(response)
    };
    assert!(
        String::from_utf8(invoke_mcp(&mcp_event))
            .unwrap()
            .contains("structuredContent")
    );
    let tool_call = cpu_per_call(15, 2000, || {
        std::hint::black_box(invoke_mcp(&mcp_event));
    });
    let over_rest = micros(tool_call) / micros(handler);
    report(
        "MCP tools/call generate_password",
        format!("{:.1} µs", micros(tool_call)),
        "≤ 2× REST generate",
        Some((over_rest, "of the REST generate handler")),
        over_rest <= 2.0,
    );
    let policy = GenerationPlan::new(&GenerateRequest::default(), 1).unwrap();
    let raw = cpu_per_call(15, 20000, || {
        std::hint::black_box(policy.generate(&mut random::request_rng()));
    });
    report(
        "generate handler, 18 chars (event → response)",
        format!("{:.1} µs", micros(handler)),
        "≤ 20 µs",
        Some((micros(handler) / micros(raw), "of raw generation")),
        micros(handler) <= 20.0,
    );
    let groups = [
        charset::LOWERCASE,
        charset::UPPERCASE,
        charset::NUMBERS,
        charset::SYMBOLS,
    ];
    let baseline = node(serde_json::json!({"generate": {
        "groups": groups, "length": 18, "batches": 15, "per_batch": 20000
    }}));
    let node_generate = baseline
        .as_ref()
        .and_then(|b| b["generate"]["micros_per_call"].as_f64());
    let ratio = node_generate.map(|n| n / micros(raw));
    report(
        "generate raw (policy → password)",
        format!("{:.2} µs", micros(raw)),
        "≥ 10× Node randomInt",
        ratio.map(|r| (r, "faster than Node crypto.randomInt")),
        ratio.is_some_and(|r| r >= 10.0),
    );
    if let Some(n) = node_generate {
        println!("    Node crypto.randomInt, same policy      {n:>8.2} µs");
    }
    // Where the handler's time goes, step by step.
    let step = |name: &str, per_call: Duration| {
        println!("    {name:<40} {:>8.2} µs", micros(per_call));
    };
    step(
        "event JSON → request",
        cpu_per_call(15, 2000, || {
            std::hint::black_box(lambda_http::request::from_str(&event).unwrap());
        }),
    );
    let handler_only = |log: bool| {
        let mut samples: Vec<Duration> = (0..15)
            .map(|_| {
                let requests: Vec<_> = (0..1000)
                    .map(|_| lambda_http::request::from_str(&event).unwrap())
                    .collect();
                let run = || {
                    let start = thread_cpu();
                    for request in requests {
                        let response = runtime.block_on(dispatch::generate(&app, request)).unwrap();
                        std::hint::black_box(response);
                    }
                    (thread_cpu() - start) / 1000
                };
                if log {
                    run()
                } else {
                    let none = lambda_http::tracing::Dispatch::none();
                    lambda_http::tracing::dispatcher::with_default(&none, run)
                }
            })
            .collect();
        samples.sort();
        samples[samples.len() / 2]
    };
    step("handler (request → response)", handler_only(true));
    step("handler, log line off", handler_only(false));
    step(
        "(not done) seeding a generator per request",
        cpu_per_call(15, 5000, || {
            let mut os = rand::rand_core::UnwrapErr(rand::rngs::SysRng);
            std::hint::black_box(<rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut os));
        }),
    );
    step(
        "policy (validate; counting remembered)",
        cpu_per_call(15, 5000, || {
            std::hint::black_box(GenerationPlan::new(&GenerateRequest::default(), 1).unwrap());
        }),
    );
    step(
        "entropy bits (log2 of the count)",
        cpu_per_call(15, 5000, || {
            std::hint::black_box(policy.entropy_bits());
        }),
    );
    step(
        "caller's IP hash (HMAC-SHA256)",
        cpu_per_call(15, 5000, || {
            std::hint::black_box(app.pepper.ip("203.0.113.7"));
        }),
    );
    let meter = Meter {
        who: Meterer::Ip("bench".to_owned()),
        day: Day::today(),
        daily: u32::MAX,
        monthly: Some(u32::MAX),
        rev: None,
    };
    step(
        "metering (in-memory store)",
        cpu_per_call(15, 5000, || {
            std::hint::black_box(runtime.block_on(app.store.meter(&meter)).unwrap());
        }),
    );
    step(
        "RFC 3339 timestamp",
        cpu_per_call(15, 5000, || {
            std::hint::black_box(
                humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            );
        }),
    );
    step(
        "response → gateway document",
        cpu_per_call(15, 5000, || {
            let response = lambda_http::http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("cache-control", "no-store")
                .body(lambda_http::Body::from(
                    "{\"password\":\"0123456789abcdefgh\"}",
                ))
                .unwrap();
            std::hint::black_box(gateway_response(response));
        }),
    );
}

/// Evaluate: our estimator against the zxcvbn crate alone and `@zxcvbn-ts/core`, on common,
/// random and adversarial inputs.
fn evaluate_figures() {
    // Evaluate: our estimator against the zxcvbn crate alone, input by input.
    passwordapi::evaluate::warm_up();
    let _ = zxcvbn::zxcvbn("warm-up", &[]);
    let (typical, adversarial) = corpora();
    let time_each = |inputs: &[String], f: &dyn Fn(&str)| -> Vec<Duration> {
        let mut out: Vec<Duration> = inputs.iter().map(|p| cpu_per_call(5, 3, || f(p))).collect();
        out.sort();
        out
    };
    let ours = |p: &str| {
        std::hint::black_box(passwordapi::evaluate::strength(p, &[]).unwrap());
    };
    let crate_alone = |p: &str| {
        std::hint::black_box(zxcvbn::zxcvbn(p, &[]));
    };
    let ours_typical = time_each(&typical, &ours);
    let crate_typical = time_each(&typical, &crate_alone);
    let ours_adversarial = time_each(&adversarial, &ours);
    let crate_adversarial = time_each(&adversarial, &crate_alone);
    let p50 = percentile(&ours_typical, 0.5);
    report(
        "evaluate p50, common + random",
        format!("{:.3} ms", p50.as_secs_f64() * 1e3),
        "≤ 0.05 ms",
        Some((
            percentile(&crate_typical, 0.5).as_secs_f64() / p50.as_secs_f64(),
            "zxcvbn crate p50 / ours",
        )),
        p50 <= Duration::from_micros(50),
    );
    let worst = *ours_adversarial.last().unwrap();
    report(
        "evaluate worst, adversarial ≤ 128 chars",
        format!("{:.2} ms", worst.as_secs_f64() * 1e3),
        "≤ 25 ms",
        Some((
            crate_adversarial.last().unwrap().as_secs_f64() / worst.as_secs_f64(),
            "zxcvbn crate worst / ours",
        )),
        worst <= Duration::from_millis(25),
    );

    // Side by side with @zxcvbn-ts/core on the same inputs (steady state, after its start-up).
    let baseline = node(serde_json::json!({
        "zxcvbn": {"inputs": typical, "runs": 5, "per_run": 3},
    }));
    let adversarial_baseline = node(serde_json::json!({
        "zxcvbn": {"inputs": adversarial, "runs": 1, "per_run": 1},
    }));
    let times = |b: &Option<serde_json::Value>| -> Option<Vec<f64>> {
        let values = b.as_ref()?["zxcvbn"]["micros_per_input"].as_array()?;
        Some(
            values
                .iter()
                .filter_map(serde_json::Value::as_f64)
                .collect(),
        )
    };
    let ours_total = |d: &[Duration]| d.iter().map(|d| micros(*d)).sum::<f64>();
    if let (Some(node_typical), Some(node_adversarial)) =
        (times(&baseline), times(&adversarial_baseline))
    {
        let mut sorted = node_typical.clone();
        sorted.sort_by(f64::total_cmp);
        let node_p50 = sorted[sorted.len() / 2];
        let ratio = node_p50 / micros(p50);
        report(
            "evaluate p50 vs @zxcvbn-ts/core",
            format!("{:.3} ms", p50.as_secs_f64() * 1e3),
            "≥ 20× zxcvbn-ts",
            Some((ratio, "faster (p50 against p50)")),
            ratio >= 20.0,
        );
        let ratio = node_adversarial.iter().sum::<f64>() / ours_total(&ours_adversarial);
        report(
            "evaluate adversarial corpus vs zxcvbn-ts",
            format!("{:.1} ms", ours_total(&ours_adversarial) / 1e3),
            "≥ 20× zxcvbn-ts",
            Some((ratio, "faster (whole corpus)")),
            ratio >= 20.0,
        );
        let startup = baseline.as_ref().unwrap()["zxcvbn"]["startup_micros"]
            .as_f64()
            .unwrap_or(0.0);
        println!(
            "    zxcvbn-ts p50 {:.3} ms, corpus {:.1} ms, start-up {:.0} ms CPU",
            node_p50 / 1e3,
            node_adversarial.iter().sum::<f64>() / 1e3,
            startup / 1e3
        );
    }
}

/// The warm metered request on DynamoDB Local, through the app with monthly quotas on (a key on
/// a plan with a monthly limit): its store calls and write units, and the metering write's
/// round trip. The emulator is kept for the functions' runs.
fn warm_metered_write(runtime: &tokio::runtime::Runtime) -> LocalDynamo {
    let local = runtime.block_on(LocalDynamo::start());
    runtime.block_on(async {
        let client = local.client();
        create_table(&client, "bench").await;
        let store = std::sync::Arc::new(integration_tests::counting::Counting::new(
            DynamoStore::new(client, "bench").measuring_capacity(),
        ));
        let config = passwordapi::Config {
            free: passwordapi::plan::Plan {
                daily: u32::MAX,
                monthly: Some(u32::MAX),
                ..passwordapi::Config::default().free
            },
            ..integration_tests::test_config()
        };
        let app = passwordapi::http::App::new(config, store.clone()).unwrap();
        let registered = dispatch::register(
            &app,
            Event::post("/v1/keys/register", r#"{"email": "bench@example.com"}"#).request(),
        )
        .await
        .unwrap();
        let key = integration_tests::body_json(&registered)["api_key"]
            .as_str()
            .unwrap()
            .to_owned();
        let generate = || {
            Event::post("/v1/generate", "{}")
                .header("Authorization", &format!("Bearer {key}"))
                .request()
        };
        for _ in 0..50 {
            let response = dispatch::generate(&app, generate()).await.unwrap();
            assert_eq!(response.status(), 200);
        }
        let (calls, units) = (store.calls(), store.inner.consumed_write_units());
        let n = 300;
        for _ in 0..n {
            let response = dispatch::generate(&app, generate()).await.unwrap();
            assert_eq!(response.status(), 200);
        }
        let calls = (store.calls() - calls) as f64 / f64::from(n);
        let wru = (store.inner.consumed_write_units() - units) / f64::from(n);
        report(
            "store calls per warm metered request (monthly quota on)",
            format!("{calls:.2} calls"),
            "1 call",
            None,
            calls <= 1.0,
        );
        report(
            "write units per metered request",
            format!("{wru:.2} WRU"),
            "≤ 1 WRU",
            Some((4.0 / wru.max(1e-9), "cheaper than a 2-item transaction")),
            wru <= 1.0,
        );
        // The metering write alone: its round trip on the emulator.
        let account = key["pwa_live_".len().."pwa_live_".len() + 12].to_owned();
        let rev = store.inner.account(&account).await.unwrap().unwrap().rev;
        let meter = Meter {
            who: Meterer::Account(account),
            day: app.clock.today(),
            daily: u32::MAX,
            monthly: Some(u32::MAX),
            rev: Some(rev),
        };
        let mut trips = Vec::new();
        for _ in 0..n {
            let started = Instant::now();
            store.inner.meter(&meter).await.unwrap();
            trips.push(started.elapsed());
        }
        trips.sort();
        report(
            "warm metered write, DynamoDB Local p50",
            format!("{:.2} ms", percentile(&trips, 0.5).as_secs_f64() * 1e3),
            "1 round trip",
            None,
            true,
        );
    });
    local
}

/// The body of a function's response document, as JSON.
fn body(response: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(response["body"].as_str().unwrap_or("null")).unwrap_or_default()
}

/// Each function's configured memory (MB) in template.yaml, by binary name.
fn memory_sizes() -> std::collections::BTreeMap<String, u64> {
    let template = integration_tests::template();
    let global = template["Globals"]["Function"]["MemorySize"]
        .as_u64()
        .unwrap_or(128);
    let mut sizes = std::collections::BTreeMap::new();
    for (_, resource) in template["Resources"].as_mapping().unwrap() {
        if let Some(binary) = resource["Metadata"]["BuildProperties"]["Binary"].as_str() {
            let size = resource["Properties"]["MemorySize"]
                .as_u64()
                .unwrap_or(global);
            sizes.insert(binary.to_owned(), size);
        }
    }
    sizes
}

/// The hostile-cost corpus refused (429): once a caller is over its limit, each request of the
/// corpus against its plain counterpart, both refused (the function remembers the refusal and
/// answers before any validation; what is left is reading the body).
fn refused_row(runtime: &tokio::runtime::Runtime) {
    let config = Config {
        anonymous: integration_tests::plan("anonymous", 1, integration_tests::COSTLY_MAX_COUNT),
        ..Config::default()
    };
    let app = memory_app(config);
    let breaches = RangeCache::new(HibpClient::new("http://127.0.0.1:9"));
    let run = |path: &str, body: &str| -> u16 {
        let request = Event::post(path, body).request();
        let response = runtime.block_on(async {
            match path {
                "/v1/evaluate" => dispatch::evaluate(&app, &breaches, request).await,
                _ => dispatch::generate(&app, request).await,
            }
        });
        response.unwrap().status().as_u16()
    };
    run("/v1/generate", "{}");
    assert_eq!(run("/v1/generate", "{}"), 429);
    // Each against its plain counterpart (as much to read: a body of the same size), refused too.
    let (mut worst, mut worst_cpu) = (0f64, Duration::ZERO);
    for (path, body) in integration_tests::costly_requests() {
        let request: serde_json::Value = serde_json::from_str(&body).unwrap();
        let plain = integration_tests::plain_counterpart(path, &request).to_string();
        let cpu = |body: &str| {
            cpu_per_call(9, 20, || {
                std::hint::black_box(run(path, body));
            })
        };
        let (costly, baseline) = (cpu(&body), cpu(&plain));
        let ratio = costly.as_secs_f64() / baseline.as_secs_f64();
        if ratio > worst {
            (worst, worst_cpu) = (ratio, costly);
        }
    }
    report(
        "worst refused (429) request",
        format!("{:.1} µs", worst_cpu.as_secs_f64() * 1e6),
        "≤ 2× its plain one",
        Some((worst, "of its refused plain request")),
        worst <= 2.0,
    );
}

/// Each release function run as Lambda runs it (see `integration_tests::runtime_api`): init and per-event CPU, peak
/// memory against its configured memory size, and the zipped size of its bootstrap.
/// The hostile-cost corpus (`integration_tests::costly_requests`): each request's handler CPU on
/// its first run (what a caller varying its parameters pays every time), the worst per endpoint
/// against the stated bound, beside the endpoint's default request.
fn worst_cases(runtime: &tokio::runtime::Runtime) {
    const BOUND_MS: f64 = 5.0;
    let config = Config {
        anonymous: integration_tests::plan(
            "anonymous",
            u32::MAX,
            integration_tests::COSTLY_MAX_COUNT,
        ),
        ..Config::default()
    };
    let app = memory_app(config);
    let breaches = RangeCache::new(HibpClient::new("http://127.0.0.1:9"));
    let run = |path: &str, body: &str| -> (Duration, u16) {
        let request = Event::post(path, body).request();
        let start = thread_cpu();
        let response = runtime.block_on(async {
            match path {
                "/v1/evaluate" => dispatch::evaluate(&app, &breaches, request).await,
                _ => dispatch::generate(&app, request).await,
            }
        });
        let cpu = thread_cpu() - start;
        (cpu, response.unwrap().status().as_u16())
    };
    let defaults = [
        ("/v1/generate", "{}"),
        ("/v1/evaluate", r#"{"password":"Tr0ub4dor&3"}"#),
    ];
    // What every request of the process shares (the breach client's first connection, lazily
    // built tables) is init, not the cost of a request.
    for (path, body) in defaults {
        run(path, body);
    }
    println!("\nworst cases (hostile-cost corpus, first run of each, handler CPU):");
    let mut worst: Vec<(&str, Duration, String)> = Vec::new();
    for (path, body) in integration_tests::costly_requests() {
        let (cpu, status) = run(path, &body);
        let preview: String = body.chars().take(90).collect();
        println!(
            "    {:>8.3} ms  {status}  {path} {preview}",
            cpu.as_secs_f64() * 1e3
        );
        match worst.iter_mut().find(|(p, _, _)| *p == path) {
            Some(entry) if entry.1 >= cpu => {}
            Some(entry) => *entry = (path, cpu, preview),
            None => worst.push((path, cpu, preview)),
        }
    }
    refused_row(runtime);
    for (path, cpu, _) in worst {
        let default = defaults
            .iter()
            .find(|(p, _)| *p == path)
            .map_or("{}", |d| d.1);
        let typical = cpu_per_call(9, 20, || {
            std::hint::black_box(run(path, default));
        });
        let ms = cpu.as_secs_f64() * 1e3;
        report(
            &format!("worst {path} request"),
            format!("{ms:.2} ms"),
            &format!("≤ {BOUND_MS} ms"),
            Some((
                cpu.as_secs_f64() / typical.as_secs_f64(),
                "of its default request",
            )),
            ms <= BOUND_MS,
        );
    }
}

/// What a forged token with a real account id costs beyond its read: one argon2id verification
/// with the parameters keys are hashed with, against the crate's defaults (what keys used to be
/// hashed with, and what stored hashes of that time still verify with).
fn key_verification() {
    use argon2::password_hash::PasswordHasher;
    let mut rng = rand::rng();
    let real = Token::issue(Kind::ApiKey, "abcdefABCDEF", &mut rng);
    let forged = Token::issue(Kind::ApiKey, "abcdefABCDEF", &mut rng);
    let phc = real.hash();
    let ours = cpu_per_call(9, 20, || assert!(!forged.verify(&phc)));
    let old = argon2::Argon2::default()
        .hash_password(b"0123456789abcdefABCDEF")
        .unwrap()
        .to_string();
    let defaults = cpu_per_call(5, 2, || assert!(!forged.verify(&old)));
    println!();
    report(
        "key verification (argon2id, 512 KiB, 1 pass)",
        format!("{:.3} ms", ours.as_secs_f64() * 1e3),
        "≤ 1 ms",
        Some((
            defaults.as_secs_f64() / ours.as_secs_f64(),
            "faster than the crate's defaults",
        )),
        ours <= Duration::from_millis(1),
    );
}

fn cold_starts(local: &LocalDynamo, passwords: &[String]) {
    let root = integration_tests::root();
    let env = [
        ("TABLE_NAME", "bench".to_owned()),
        ("DYNAMODB_ENDPOINT", local.endpoint()),
        ("EMAIL_PEPPER", integration_tests::TEST_PEPPER.to_owned()),
        // Nothing listens there; evaluate events skip the breach check anyway.
        ("HIBP_API_URL", "http://127.0.0.1:9".to_owned()),
        ("ANONYMOUS_DAILY_LIMIT", "100000000".to_owned()),
        ("FREE_DAILY_LIMIT", "100000000".to_owned()),
        ("REGISTER_DAILY_LIMIT_PER_IP", "100000000".to_owned()),
    ];
    let memory = memory_sizes();
    let status = |r: &serde_json::Value| r["statusCode"].as_u64().unwrap_or(0);
    let counted = |n: usize, make: Box<dyn Fn(usize) -> Event>| {
        let mut i = 0;
        move |_: Option<&serde_json::Value>| {
            i += 1;
            (i <= n).then(|| make(i))
        }
    };
    let stamp = epoch_seconds();
    let mut runs = Vec::new();
    // `BENCH_BINARIES`: another build of the functions (an unstripped one, to profile).
    let binaries = std::env::var_os("BENCH_BINARIES")
        .map_or_else(|| root.join("target/release"), std::path::PathBuf::from);
    let burst: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let binary = |name: &str| binaries.join(name);

    let generate = coldstart::run(
        &binary("generate"),
        &env,
        counted(burst, Box::new(|_| Event::post("/v1/generate", "{}"))),
    );
    runs.push(("generate", generate, 200));

    let corpus = passwords.to_vec();
    let evaluate = coldstart::run(
        &binary("evaluate"),
        &env,
        counted(
            burst,
            Box::new(move |i| {
                let password = &corpus[i % corpus.len()];
                Event::post(
                    "/v1/evaluate",
                    &serde_json::json!({ "password": password }).to_string(),
                )
                .query("hibp=false")
            }),
        ),
    );
    runs.push(("evaluate", evaluate, 200));

    let register = coldstart::run(
        &binary("register"),
        &env,
        counted(
            8,
            Box::new(move |i| {
                let email = format!("bench-{stamp}-{i}@example.com");
                Event::post(
                    "/v1/keys/register",
                    &serde_json::json!({ "email": email }).to_string(),
                )
            }),
        ),
    );
    let first = body(&register.responses[0]);
    let email = format!("bench-{stamp}-1@example.com");
    let mut regen = first["regen_token"].as_str().unwrap_or_default().to_owned();
    runs.push(("register", register, 201));

    let mut left = 8;
    let regenerate = coldstart::run(&binary("regenerate"), &env, |previous| {
        if let Some(previous) = previous {
            regen = body(previous)["regen_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
        }
        left -= 1;
        (left >= 0).then(|| {
            let request = serde_json::json!({ "email": email, "regen_token": regen });
            Event::post("/v1/keys/regenerate", &request.to_string())
        })
    });
    let key = body(regenerate.responses.last().unwrap())["api_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    runs.push(("regenerate", regenerate, 200));

    let usage = coldstart::run(
        &binary("usage"),
        &env,
        counted(
            burst,
            Box::new(move |_| {
                Event::new("GET", "/v1/keys/usage")
                    .header("authorization", &format!("Bearer {key}"))
            }),
        ),
    );
    runs.push(("usage", usage, 200));

    let mcp = coldstart::run(
        &binary("mcp"),
        &env,
        counted(
            burst,
            Box::new(|i| {
                let call = serde_json::json!({
                    "jsonrpc": "2.0", "id": i, "method": "tools/call",
                    "params": {"name": "generate_password", "arguments": {}}
                });
                Event::post("/mcp", &call.to_string())
                    .header("content-type", "application/json")
                    .header("accept", "application/json, text/event-stream")
                    .header("mcp-protocol-version", "2025-11-25")
            }),
        ),
    );
    runs.push(("mcp", mcp, 200));

    println!();
    println!(
        "{:<12} {:>10} {:>11} {:>10} {:>18} {:>10}",
        "function", "init CPU", "first event", "warm event", "peak RSS / memory", "zipped"
    );
    let zipped: Vec<u64> = runs
        .iter()
        .map(|(name, _, _)| zipped_size(&binary(name)))
        .collect();
    for ((name, run, expected), zipped) in runs.iter().zip(&zipped) {
        let ok = run.responses.iter().all(|r| status(r) == *expected);
        assert!(
            ok,
            "{name}: unexpected status in {:?}",
            run.responses.iter().map(status).collect::<Vec<_>>()
        );
        println!(
            "{name:<12} {:>7.2} ms {:>8.2} ms {:>7.3} ms {:>8.1} MiB / {:>4} {:>7.2} MB",
            run.init_cpu.as_secs_f64() * 1e3,
            run.first_cpu.as_secs_f64() * 1e3,
            run.warm_cpu.as_secs_f64() * 1e3,
            run.peak_rss_kib as f64 / 1024.0,
            memory[*name],
            *zipped as f64 / 1e6,
        );
    }
    cost_table(&runs, &memory);
    // Init again, without events, a few times each: the median is steadier than one start.
    for (name, run, _) in &runs {
        let mut inits: Vec<Duration> = (0..6)
            .map(|_| coldstart::run(&binary(name), &env, |_| None).init_cpu)
            .chain([run.init_cpu])
            .collect();
        inits.sort();
        let median = inits[inits.len() / 2];
        // Evaluate's dictionaries lie in the binary: its init builds nothing for them.
        let bound = if *name == "evaluate" { 10 } else { 15 };
        report(
            &format!("cold start: {name} init (CPU, median of 7)"),
            format!("{:.2} ms", median.as_secs_f64() * 1e3),
            &format!("≤ {bound} ms"),
            None,
            median <= Duration::from_millis(bound),
        );
        println!(
            "    min {:.2} ms, max {:.2} ms",
            inits[0].as_secs_f64() * 1e3,
            inits[inits.len() - 1].as_secs_f64() * 1e3
        );
    }
    if let Some(at) = runs.iter().position(|(name, _, _)| *name == "evaluate") {
        report(
            "zipped bootstrap: evaluate (its dictionaries inside)",
            format!("{:.2} MB", zipped[at] as f64 / 1e6),
            "≤ 6 MB",
            None,
            zipped[at] <= 6_000_000,
        );
    }
    let biggest = *zipped.iter().max().unwrap();
    report(
        "zipped bootstrap, largest",
        format!("{:.2} MB", biggest as f64 / 1e6),
        "≤ 6 MB",
        None,
        biggest <= 6_000_000,
    );
    let (name, rss, size) = runs
        .iter()
        .map(|(name, r, _)| (name, r.peak_rss_kib, memory[*name]))
        .max_by(|a, b| (a.1 as f64 / a.2 as f64).total_cmp(&(b.1 as f64 / b.2 as f64)))
        .unwrap();
    report(
        &format!("peak RSS / memory size, worst ({name})"),
        format!("{:.1} MiB", rss as f64 / 1024.0),
        &format!("≤ {size} MB"),
        Some((size as f64 * 1e6 / (rss as f64 * 1024.0), "headroom")),
        rss * 1024 <= size * 1_000_000,
    );
}

/// Seconds since the epoch, to keep registered emails unique across runs.
fn epoch_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Size of `binary` zipped as `bootstrap` (deflate), as it is uploaded.
fn zipped_size(binary: &std::path::Path) -> u64 {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import io, sys, zipfile\n\
             b = io.BytesIO()\n\
             with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:\n\
             \x20   z.write(sys.argv[1], 'bootstrap')\n\
             print(len(b.getvalue()))",
        ])
        .arg(binary)
        .output()
        .expect("python3");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Prices (us-east-1, arm64, on-demand; USD) and the model of BENCHMARKS.md.
const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4;
const LAMBDA_PER_MILLION: f64 = 0.20;
const HTTP_API_PER_MILLION: f64 = 1.00;
const WRITE_UNIT_PER_MILLION: f64 = 0.625;
const READ_UNIT_PER_MILLION: f64 = 0.125;
/// Lambda gives one vCPU at 1769 MB, proportionally less below.
const FULL_VCPU_MB: f64 = 1769.0;
/// Assumed wall time of one DynamoDB call from Lambda in the same region.
const DYNAMODB_CALL_MS: f64 = 4.0;

/// Billed milliseconds of one warm request at `mb` MB — its CPU measured here × (1769 MB / memory)
/// + DynamoDB calls × 4 ms, rounded up — and the Lambda compute cost of a million of them.
fn lambda_compute(warm_cpu: Duration, mb: f64, calls: f64) -> (f64, f64) {
    let billed =
        (warm_cpu.as_secs_f64() * 1e3 * FULL_VCPU_MB / mb + calls * DYNAMODB_CALL_MS).ceil();
    (billed, mb / 1024.0 * billed / 1e3 * LAMBDA_GB_SECOND * 1e6)
}

/// Cost per million warm requests of each endpoint at its configured memory ([`lambda_compute`]).
fn cost_table(
    runs: &[(&str, coldstart::Run, u64)],
    memory: &std::collections::BTreeMap<String, u64>,
) {
    // Store calls, write and read units per warm request, from the code (store/dynamodb.rs):
    // metering is one conditional update of the month's counter (1.00 WRU, measured above);
    // register a conditional update (the attempt), an eventually consistent read (the email
    // claim, 0.5 RRU) and a 3-item transaction (email claim, account, its event: 2 WRU per
    // item); regenerate a strongly consistent read and a 4-item transaction (the account, this
    // and next month's counters, the event); usage a strongly consistent read of the account and
    // a strongly consistent query of at most two month counters (one 4 KB unit each). The plans'
    // query, once per function per PLANS_REFRESH_SECONDS, is left out.
    let units = |name: &str| -> (f64, f64, f64) {
        match name {
            "generate" | "evaluate" | "mcp" => (1.0, 1.0, 0.0),
            "register" => (3.0, 7.0, 0.5),
            "regenerate" => (2.0, 8.0, 1.0),
            _ => (2.0, 0.0, 2.0),
        }
    };
    // The memory choice: Lambda compute per million and billed ms at each size.
    println!();
    println!("Lambda compute per million warm requests (billed ms) by memory size:");
    println!(
        "{:<12} {:>16} {:>16} {:>16} {:>16}",
        "endpoint", "128 MB", "256 MB", "512 MB", "1024 MB"
    );
    for (name, run, _) in runs {
        let (calls, _, _) = units(name);
        let cells: Vec<String> = [128.0, 256.0, 512.0, 1024.0]
            .iter()
            .map(|&mb| {
                let (billed, compute) = lambda_compute(run.warm_cpu, mb, calls);
                format!("${compute:.3} ({billed:.0})")
            })
            .collect();
        println!(
            "{name:<12} {:>16} {:>16} {:>16} {:>16}",
            cells[0], cells[1], cells[2], cells[3]
        );
    }
    println!();
    println!(
        "{:<12} {:>7} {:>11} {:>9} {:>9} {:>9} {:>9} {:>11}",
        "endpoint",
        "memory",
        "billed (ms)",
        "compute",
        "requests",
        "HTTP API",
        "DynamoDB",
        "per million"
    );
    for (name, run, _) in runs {
        let mb = memory[*name] as f64;
        let (calls, wru, rru) = units(name);
        let (billed, compute) = lambda_compute(run.warm_cpu, mb, calls);
        let dynamo = wru * WRITE_UNIT_PER_MILLION + rru * READ_UNIT_PER_MILLION;
        let total = compute + LAMBDA_PER_MILLION + HTTP_API_PER_MILLION + dynamo;
        println!(
            "{name:<12} {:>4} MB {billed:>11.0} {:>9} {:>9} {:>9} {:>9} {:>11}",
            mb,
            format!("${compute:.3}"),
            format!("${LAMBDA_PER_MILLION:.2}"),
            format!("${HTTP_API_PER_MILLION:.2}"),
            format!("${dynamo:.3}"),
            format!("${total:.2}"),
        );
    }
}

/// S3 prices (us-east-1, Standard): per 1,000 PUTs, per 1,000 GETs and HEADs, per GB-month.
const S3_PUT_PER_THOUSAND: f64 = 0.005;
const S3_GET_PER_THOUSAND: f64 = 0.0004;
const S3_GB_MONTH: f64 = 0.023;
/// Assumed wall time, from Lambda, of one request to the range API (its CDN) and one to S3 in
/// the same region.
const UPSTREAM_MS: f64 = 40.0;
const S3_MS: f64 = 20.0;

/// The breach mirror: a check from it against a check from the range API (the client's CPU and
/// the latency on loopback, each on a range not seen before: no range cache), and the sync's CPU
/// per prefix for a first pass and for a pass that finds every range unchanged, from which a full
/// pass's Lambda time and money follow.
fn breach_mirror_figures(runtime: &tokio::runtime::Runtime) {
    use integration_tests::range_server::{Behaviour, RangeServer, sha1_hex};
    use integration_tests::s3::LocalS3;
    use passwordapi::evaluate::breach::check;
    use passwordapi::evaluate::mirror::{Mirror, sync_each};
    const CHECKS: usize = 256;
    const PREFIXES: usize = 2_048;
    let passwords: Vec<String> = (0..CHECKS).map(|i| format!("mirror bench {i}")).collect();
    let breached: Vec<(&str, u64)> = passwords.iter().map(|p| (p.as_str(), 3)).collect();
    let upstream = RangeServer::start(&breached, &[], Behaviour::Normal);
    let s3 = runtime.block_on(LocalS3::start());
    let bucket = s3.bucket("bench");
    runtime.block_on(bucket.create()).unwrap();
    let mirror = Mirror::new(bucket);
    let client = HibpClient::new(&upstream.url());

    // A first pass over PREFIXES prefixes (nothing stored), then a second (every one unchanged),
    // 32 at once as the function syncs them: CPU per prefix on this thread (the client's work:
    // the servers run on their own threads), and the wall time.
    let slice: Vec<String> = (0..PREFIXES as u32).map(|p| format!("{p:05X}")).collect();
    let pass = |label: &str| {
        let (cpu, wall) = (thread_cpu(), Instant::now());
        let results = runtime.block_on(sync_each(&client, &mirror, slice.iter().cloned(), 32));
        assert_eq!(results.len(), PREFIXES, "{label}");
        ((thread_cpu() - cpu) / PREFIXES as u32, wall.elapsed())
    };
    let (first_cpu, first_wall) = pass("first");
    let (again_cpu, again_wall) = pass("again");
    let object = runtime
        .block_on(s3.bucket("bench").get("ranges/00000"))
        .unwrap()
        .unwrap()
        .body;
    let object_bytes = object.len();
    let stored_lines = object.split(|b| *b == b'\n').count() as f64;

    // Checks: each password's range synced into the mirror, then checked from each source.
    let prefixes: Vec<String> = passwords
        .iter()
        .map(|p| sha1_hex(p)[..5].to_owned())
        .collect();
    runtime.block_on(sync_each(&client, &mirror, prefixes.iter().cloned(), 32));
    let time = |source: &dyn Fn(&str) -> passwordapi::evaluate::breach::Checked| {
        let mut cpu = Vec::new();
        let mut wall = Vec::new();
        for password in &passwords {
            let (c, w) = (thread_cpu(), Instant::now());
            let found = source(password);
            assert_eq!(
                found.check,
                passwordapi::evaluate::breach::BreachCheck::Checked(3)
            );
            cpu.push(thread_cpu() - c);
            wall.push(w.elapsed());
        }
        cpu.sort();
        wall.sort();
        (percentile(&cpu, 0.5), percentile(&wall, 0.5))
    };
    let (upstream_cpu, upstream_wall) = time(&|p| runtime.block_on(check(&client, p)));
    let (mirror_cpu, mirror_wall) = time(&|p| runtime.block_on(check(&mirror, p)));
    println!();
    report(
        "breach check from the mirror, CPU p50",
        format!("{:.0} µs", micros(mirror_cpu)),
        "≤ the upstream check",
        Some((
            upstream_cpu.as_secs_f64() / mirror_cpu.as_secs_f64(),
            "upstream check's CPU / the mirror's",
        )),
        mirror_cpu <= upstream_cpu,
    );
    let per_million = S3_GET_PER_THOUSAND * 1e3;
    report(
        "breach checks from the mirror, S3 requests",
        format!("${per_million:.2}/M"),
        "≤ $0.50 per million",
        None,
        per_million <= 0.50,
    );
    println!(
        "    check p50 on loopback: mirror {:.2} ms wall, {:.0} µs CPU (one signed GET); upstream {:.2} ms wall, {:.0} µs CPU",
        mirror_wall.as_secs_f64() * 1e3,
        micros(mirror_cpu),
        upstream_wall.as_secs_f64() * 1e3,
        micros(upstream_cpu)
    );

    // A full pass, from what one prefix costs here: at 128 MB Lambda gives 128/1769 of a vCPU,
    // so the pass takes at least its CPU × 1769/128; with 32 prefixes in flight it takes at least
    // its requests' latency / 32 (UPSTREAM_MS and S3_MS each).
    let all = f64::from(passwordapi::evaluate::sync::PREFIXES);
    let lambda = |cpu: Duration, s3_requests: f64| -> (f64, f64) {
        let cpu_bound = cpu.as_secs_f64() * all * FULL_VCPU_MB / 128.0;
        let network_bound = all * (UPSTREAM_MS + s3_requests * S3_MS) / 1e3 / 32.0;
        let seconds = cpu_bound.max(network_bound);
        (seconds, 128.0 / 1024.0 * seconds * LAMBDA_GB_SECOND)
    };
    let (first_s, first_compute) = lambda(first_cpu, 2.0);
    let (again_s, again_compute) = lambda(again_cpu, 1.0);
    let invocations = |s: f64| (s / (12.0 * 60.0)).ceil();
    let first_s3 = all * (S3_PUT_PER_THOUSAND + S3_GET_PER_THOUSAND) / 1e3;
    let again_s3 = all * S3_GET_PER_THOUSAND / 1e3;
    // A real range holds about 1,000 suffixes (the corpus's ~10^9 hashes over 2^20 prefixes);
    // its lines are as long as the ones stored here.
    let range_bytes = object_bytes as f64 / stored_lines * 1_000.0;
    let gb = all * range_bytes / 1e9;
    println!(
        "    sync CPU per prefix: first pass {:.0} µs ({PREFIXES} prefixes in {:.1} s here), unchanged {:.0} µs ({:.1} s)",
        micros(first_cpu),
        first_wall.as_secs_f64(),
        micros(again_cpu),
        again_wall.as_secs_f64()
    );
    println!(
        "    full first pass: 1,048,576 upstream requests, 1,048,576 HEAD + 1,048,576 PUT; ~{:.1} h of 128 MB Lambda ({} runs): compute ${first_compute:.3}, S3 ${first_s3:.2}",
        first_s / 3600.0,
        invocations(first_s)
    );
    println!(
        "    weekly pass, every range unchanged: 1,048,576 conditional requests (304), 1,048,576 HEAD; ~{:.1} h ({} runs): compute ${again_compute:.3}, S3 ${again_s3:.2} (${:.2} a month)",
        again_s / 3600.0,
        invocations(again_s),
        again_s3 * 52.0 / 12.0
    );
    println!(
        "    storage: ~{:.0} KB a range of 1,000 lines ({object_bytes} B for this server's {stored_lines}): {:.0} GB ≈ ${:.2} a month",
        range_bytes / 1e3,
        gb,
        gb * S3_GB_MONTH
    );
}
