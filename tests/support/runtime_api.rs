//! A function's bootstrap run as Lambda runs it: the process talks to this stand-in for the Lambda
//! Runtime API over HTTP. `make bench` reads cold starts, warm invocations and peak memory from
//! it; the deploy rehearsal (`tests/rehearsal.rs`) boots the arm64 artifacts through it under
//! qemu.
//!
//! CPU time comes from `/proc/<pid>/task/*/schedstat` (nanoseconds on the CPU, every thread):
//! - init: process start → its first `GET /runtime/invocation/next` (config read, clients built,
//!   zxcvbn warmed: ready for the first event);
//! - first: that first event → its response;
//! - warm: the mean over the following events.
//!
//! Peak memory is `VmHWM` (peak resident set) from `/proc/<pid>/status` after the last event.

use crate::Event;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What one function run measured.
pub struct Run {
    /// CPU from process start until ready for its first event.
    pub init_cpu: Duration,
    /// CPU of the first event.
    pub first_cpu: Duration,
    /// Mean CPU of each later event.
    pub warm_cpu: Duration,
    /// Peak resident set, KiB.
    pub peak_rss_kib: u64,
    /// Every response document, in order.
    pub responses: Vec<serde_json::Value>,
}

/// CPU time of every thread of `pid`.
fn process_cpu(pid: u32) -> Duration {
    let mut total = 0u64;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            total += stat
                .split_whitespace()
                .next()
                .and_then(|ns| ns.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_nanos(total)
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One HTTP/1.1 request from the runtime client: method, path, body.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, String, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let (mut length, mut chunked) = (0usize, false);
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body).ok()?;
    }
    Some((method, path, body))
}

fn send_event(stream: &mut TcpStream, id: usize, event: &str) {
    let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(30);
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
         lambda-runtime-aws-request-id: bench-{id}\r\n\
         lambda-runtime-deadline-ms: {}\r\n\
         lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
         lambda-runtime-trace-id: Root=1-00000000-000000000000000000000000;Sampled=0\r\n\
         content-length: {}\r\n\r\n",
        deadline.as_millis(),
        event.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(event.as_bytes()).unwrap();
}

fn send_accepted(stream: &mut TcpStream) {
    let body = "{\"status\":\"OK\"}";
    let head = format!(
        "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `binary` as Lambda would (128 MB, JSON logs to a sink) with `env`, and hands it the
/// events `next` produces: `next(previous response)` returns the next event, `None` to stop.
pub fn run(
    binary: &Path,
    env: &[(&str, String)],
    next: impl FnMut(Option<&serde_json::Value>) -> Option<Event>,
) -> Run {
    run_through(&[], binary, env, next)
}

/// [`run`] with `binary` started through a `launcher` (e.g. `qemu-aarch64 -L <sysroot>`).
pub fn run_through(
    launcher: &[&str],
    binary: &Path,
    env: &[(&str, String)],
    mut next: impl FnMut(Option<&serde_json::Value>) -> Option<Event>,
) -> Run {
    run_payloads(launcher, binary, env, |previous| {
        next(previous).map(|event| event.to_json())
    })
}

/// [`run_through`] with any JSON payloads for events (a scheduled function's).
pub fn run_payloads(
    launcher: &[&str],
    binary: &Path,
    env: &[(&str, String)],
    mut next: impl FnMut(Option<&serde_json::Value>) -> Option<serde_json::Value>,
) -> Run {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let api = listener.local_addr().unwrap().to_string();
    let mut command = match launcher.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(binary);
            command
        }
        None => Command::new(binary),
    };
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let child = Killed(
        command
            .spawn()
            .unwrap_or_else(|e| panic!("{binary:?}: {e}")),
    );
    let pid = child.0.id();
    // The client may open more than one connection: a reader thread per connection hands each
    // request, with a handle to answer it on, to the loop below.
    let (sender, requests) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let sender = sender.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                while let Some(request) = read_request(&mut reader) {
                    if sender.send((request, stream.try_clone().unwrap())).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let (mut init_cpu, mut first_cpu) = (None, None);
    let mut responses: Vec<serde_json::Value> = Vec::new();
    let mut served = 0usize;
    loop {
        let ((method, path, body), mut stream) = requests
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("{binary:?} stopped talking to the runtime API"));
        match (method.as_str(), path.as_str()) {
            ("GET", "/2018-06-01/runtime/invocation/next") => {
                let now = process_cpu(pid);
                if init_cpu.is_none() {
                    init_cpu = Some(now);
                } else if first_cpu.is_none() {
                    first_cpu = Some(now);
                }
                match next(responses.last()) {
                    Some(event) => {
                        served += 1;
                        send_event(&mut stream, served, &event.to_string());
                    }
                    None => {
                        let total = now;
                        let init = init_cpu.unwrap();
                        let first = first_cpu.unwrap_or(total);
                        let warm = served.saturating_sub(1).max(1) as u32;
                        return Run {
                            init_cpu: init,
                            first_cpu: first - init,
                            warm_cpu: (total - first) / warm,
                            peak_rss_kib: peak_rss_kib(pid),
                            responses,
                        };
                    }
                }
            }
            ("POST", p) if p.ends_with("/response") => {
                responses.push(serde_json::from_slice(&body).unwrap_or_default());
                send_accepted(&mut stream);
            }
            (_, p) => panic!(
                "{binary:?} reported an error on {p}: {}",
                String::from_utf8_lossy(&body)
            ),
        }
    }
}
