//! A local stand-in for the HaveIBeenPwned range API, over real HTTP, with known data: each known
//! password's SHA-1 suffix with its count, plus padding rows (count 0), one of which is the suffix of
//! a password that is *not* breached. It records every raw request so tests can prove what left.

use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Ranges, as the real API does (every prefix answers 200).
    Normal,
    /// Ranges, after this delay.
    Slow(Duration),
    /// 503 with an HTML body.
    Failing,
    /// 302 to the same range on another server (this port on loopback).
    Redirecting(u16),
    /// A valid range of this many lines (padding rows).
    Oversized(usize),
}

/// How every request for one prefix fails, until [`RangeServer::heal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 503 with an HTML body.
    ServerError,
    /// The answer comes after [`FAULT_DELAY`], past the client's timeout.
    Timeout,
    /// Half the body, then the connection closes (its length says more).
    Truncated,
    /// 200 with a body that is not a range.
    Malformed,
}

/// How late a [`Fault::Timeout`] answers.
pub const FAULT_DELAY: Duration = Duration::from_millis(2_500);

type Faults = Arc<Mutex<HashMap<String, Fault>>>;

/// A running range server; it stops with the test process.
pub struct RangeServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    faults: Faults,
}

/// Upper-case SHA-1 hex of `password`.
pub fn sha1_hex(password: &str) -> String {
    Sha1::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Padding rows in every range.
const PADDING_ROWS: usize = 400;

impl RangeServer {
    /// Serves `breached` (password, count) pairs; `padded_clean` passwords appear as padding rows.
    pub fn start(breached: &[(&str, u64)], padded_clean: &[&str], behaviour: Behaviour) -> Self {
        let mut ranges: HashMap<String, Vec<String>> = HashMap::new();
        for (password, count) in breached {
            let hash = sha1_hex(password);
            ranges
                .entry(hash[..5].to_owned())
                .or_default()
                .push(format!("{}:{count}", &hash[5..]));
        }
        for password in padded_clean {
            let hash = sha1_hex(password);
            ranges
                .entry(hash[..5].to_owned())
                .or_default()
                .push(format!("{}:0", &hash[5..]));
        }
        let ranges = Arc::new(ranges);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the range server");
        let port = listener.local_addr().unwrap().port();
        let recorded = Arc::clone(&requests);
        let faults: Faults = Arc::default();
        let faulty = Arc::clone(&faults);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let ranges = Arc::clone(&ranges);
                let recorded = Arc::clone(&recorded);
                let faults = Arc::clone(&faulty);
                std::thread::spawn(move || serve(stream, &ranges, &recorded, behaviour, &faults));
            }
        });
        RangeServer {
            port,
            requests,
            faults,
        }
    }

    /// Every request for `prefix` fails as `fault` says from now on.
    pub fn fault(&self, prefix: &str, fault: Fault) {
        self.faults.lock().unwrap().insert(prefix.to_owned(), fault);
    }

    /// No prefix fails any more.
    pub fn heal(&self) {
        self.faults.lock().unwrap().clear();
    }

    /// The prefixes asked for so far, in the order asked.
    pub fn prefixes_asked(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter_map(|r| Some(prefix_of(r.split(' ').nth(1)?)?.to_owned()))
            .collect()
    }

    /// The port it listens on (loopback).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The base URL to configure as `HIBP_API_URL`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request received so far, raw (request line and headers).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// A URL where nothing listens.
pub fn unreachable_url() -> String {
    format!("http://127.0.0.1:{}", super::free_port())
}

/// The prefix a request target asks for (`/range/{prefix}`).
fn prefix_of(target: &str) -> Option<&str> {
    target.strip_prefix("/range/")?.get(..5)
}

fn serve(
    stream: TcpStream,
    ranges: &HashMap<String, Vec<String>>,
    recorded: &Mutex<Vec<String>>,
    behaviour: Behaviour,
    faults: &Mutex<HashMap<String, Fault>>,
) {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => head.push_str(&line),
        }
    }
    recorded.lock().unwrap().push(head.clone());
    let target = head.split(' ').nth(1).unwrap_or("");
    let faulted = prefix_of(target)
        .and_then(|prefix| Some((prefix, faults.lock().unwrap().get(prefix).copied()?)));
    if let Some((prefix, fault)) = faulted {
        let mut stream = reader.into_inner();
        let body = match fault {
            Fault::ServerError => "<html>down</html>".to_owned(),
            Fault::Malformed => "<html>maintenance</html>".to_owned(),
            Fault::Timeout | Fault::Truncated => range_body(prefix, ranges),
        };
        let status = match fault {
            Fault::ServerError => "503 Service Unavailable",
            _ => "200 OK",
        };
        if fault == Fault::Timeout {
            std::thread::sleep(FAULT_DELAY);
        }
        let sent = match fault {
            Fault::Truncated => &body[..body.len() / 2],
            _ => &body[..],
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{sent}",
            body.len()
        );
        return;
    }
    let (status, body) = match (behaviour, target.strip_prefix("/range/")) {
        (Behaviour::Failing, _) => ("503 Service Unavailable", "<html>down</html>".to_owned()),
        (Behaviour::Redirecting(port), Some(prefix)) => {
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}/range/{prefix}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return;
        }
        (Behaviour::Oversized(lines), Some(_)) => (
            "200 OK",
            (0..lines)
                .map(|i| format!("{}:0", &sha1_hex(&i.to_string())[5..]))
                .collect::<Vec<_>>()
                .join("\r\n"),
        ),
        (_, Some(prefix)) if prefix.len() == 5 => {
            if let Behaviour::Slow(delay) = behaviour {
                std::thread::sleep(delay);
            }
            ("200 OK", range_body(prefix, ranges))
        }
        _ => (
            "400 Bad Request",
            "The hash prefix was not in a valid format".to_owned(),
        ),
    };
    let mut stream = reader.into_inner();
    // A range's ETag is its body's hash; a request holding it is answered 304 with no body.
    let etag = format!("\"{}\"", &sha1_hex(&body)[..16]);
    let held = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("if-none-match")
            .then(|| value.trim().to_owned())
    });
    if status == "200 OK" && held.as_deref() == Some(etag.as_str()) {
        let _ = write!(
            stream,
            "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn range_body(prefix: &str, ranges: &HashMap<String, Vec<String>>) -> String {
    let mut lines: Vec<String> = ranges.get(prefix).cloned().unwrap_or_default();
    // Deterministic padding rows derived from the prefix.
    for i in 0..PADDING_ROWS {
        let hash = sha1_hex(&format!("padding {prefix} {i}"));
        lines.push(format!("{}:0", &hash[5..]));
    }
    lines.sort();
    lines.join("\r\n")
}
