//! `make bench`: in-process measurements of the handlers and the warm metered path, each printed
//! with its target and a ratio against a baseline measured in the same run. CPU time is the unit
//! (at 128 MB Lambda gives about 1/14 of a vCPU, so a CPU millisecond here is ~14 ms there).
//!
//! Build it optimised: `cargo run --release -p integration-tests --bin bench`.

use integration_tests::dynamo::{LocalDynamo, create_table};
use integration_tests::{Event, memory_app};
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::generate::{GenerateRequest, Policy, random};
use passwordapi::http::generate;
use passwordapi::quota::Day;
use passwordapi::store::dynamodb::DynamoStore;
use passwordapi::store::{Meter, Meterer, Store};
use std::time::{Duration, Instant};

/// CPU time of this thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is valid on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

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
    // The functions' own log set-up, writing to a sink: each request's log line is part of its cost.
    // SAFETY: set before any other thread exists.
    unsafe { std::env::set_var("AWS_LAMBDA_LOG_FORMAT", "JSON") };
    lambda_http::tracing::init_default_subscriber_with_writer(std::io::sink);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "passwordapi benchmarks (CPU time per call, this thread; ratios against baselines run here)\n"
    );

    // Generate: event in → response out, metering on the in-memory store.
    let config = Config {
        anonymous: passwordapi::config::TierLimits {
            daily_limit: u32::MAX,
            max_count: 10,
        },
        ..Config::default()
    };
    let app = memory_app(config);
    let event = Event::post("/v1/generate", "{}").to_json().to_string();
    // What the function does per invocation: the runtime's event → request, the handler (with the
    // JSON log line, written to a sink), the response → the API Gateway response document.
    let invoke = |event: &str| -> Vec<u8> {
        let request = lambda_http::request::from_str(event).unwrap();
        let response = runtime.block_on(generate::handle(&app, request)).unwrap();
        assert_eq!(response.status(), 200);
        gateway_response(response)
    };
    let handler = cpu_per_call(15, 2000, || {
        std::hint::black_box(invoke(&event));
    });
    let policy = Policy::new(&GenerateRequest::default(), 1).unwrap();
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
    report(
        "generate raw (policy → password)",
        format!("{:.2} µs", micros(raw)),
        "-",
        None,
        true,
    );
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
                        let response = runtime.block_on(generate::handle(&app, request)).unwrap();
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
            std::hint::black_box(Policy::new(&GenerateRequest::default(), 1).unwrap());
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
        limit: u32::MAX,
        key_version: None,
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
        "≤ 1 ms",
        Some((
            percentile(&crate_typical, 0.5).as_secs_f64() / p50.as_secs_f64(),
            "zxcvbn crate p50 / ours",
        )),
        p50 <= Duration::from_millis(1),
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

    // The warm metered request on DynamoDB Local: round trip and write units.
    runtime.block_on(async {
        let local = LocalDynamo::start().await;
        let client = local.client();
        create_table(&client, "bench").await;
        let store = DynamoStore::new(client, "bench").measuring_capacity();
        let meter = Meter {
            who: Meterer::Ip("bench".to_owned()),
            day: Day::today(),
            limit: u32::MAX,
            key_version: None,
        };
        for _ in 0..50 {
            store.meter(&meter).await.unwrap();
        }
        let before = store.consumed_write_units();
        let mut trips = Vec::new();
        let n = 300;
        for _ in 0..n {
            let started = Instant::now();
            store.meter(&meter).await.unwrap();
            trips.push(started.elapsed());
        }
        trips.sort();
        let wru = (store.consumed_write_units() - before) / f64::from(n);
        report(
            "warm metered write, DynamoDB Local p50",
            format!("{:.2} ms", percentile(&trips, 0.5).as_secs_f64() * 1e3),
            "1 round trip",
            None,
            true,
        );
        report(
            "write units per metered request",
            format!("{wru:.2} WRU"),
            "≤ 1 WRU",
            Some((4.0 / wru.max(1e-9), "cheaper than a 2-item transaction")),
            wru <= 1.0,
        );
    });

    // The breach client is built once per process; how much of a cold start it is.
    let started = thread_cpu();
    let hibp = RangeCache::new(HibpClient::new("https://api.pwnedpasswords.com").unwrap());
    let built = thread_cpu() - started;
    std::hint::black_box(&hibp);
    report(
        "breach client construction (init)",
        format!("{:.2} ms", built.as_secs_f64() * 1e3),
        "part of ≤ 15 ms init",
        None,
        true,
    );
}
