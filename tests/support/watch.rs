//! The local API as `make dev` runs it: `cargo lambda watch` serving every function, for the
//! end-to-end tests.

use crate::dynamo::{LocalDynamo, create_table};
use crate::range_server::{Behaviour, RangeServer};
use crate::{TEST_PEPPER, free_port, root};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// cargo-lambda, from `.venv/bin` or PATH; missing, the test fails naming it.
pub fn find_cargo_lambda() -> PathBuf {
    let venv = root().join(".venv/bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::iter::once(venv)
        .chain(std::env::split_paths(&path))
        .map(|dir| dir.join("cargo-lambda"))
        .find(|candidate| candidate.is_file());
    found.unwrap_or_else(|| missing("cargo-lambda (.venv/bin or PATH)"))
}

/// Fails the test for want of `what`: a test that cannot run never passes, nor skips quietly.
pub fn missing(what: &str) -> ! {
    panic!("{what} is missing: run `make setup` first (make test and CI run it)");
}

/// The local API as `make dev` runs it, with what stands behind it: DynamoDB Local (in memory,
/// its table created), a breach range server that knows "password" (9,545,824 breaches), and
/// `cargo lambda watch` on a free port, logging JSON as deployed. Stopped when dropped.
pub struct LocalApi {
    /// The API's port on 127.0.0.1.
    pub port: u16,
    /// The functions' log.
    pub log: PathBuf,
    /// The breach source.
    pub ranges: RangeServer,
    /// The local API.
    pub watch: Watch,
    /// DynamoDB Local's endpoint.
    pub dynamo_endpoint: String,
    /// The table.
    pub table: String,
    _dynamo: Option<LocalDynamo>,
    _runtime: tokio::runtime::Runtime,
}

impl LocalApi {
    /// Builds the functions and starts the stack with `env` added to the functions' environment,
    /// logging to `target/<name>.log` (fails without cargo-lambda).
    pub fn start(name: &str, env: &[(&str, String)]) -> LocalApi {
        LocalApi::start_on(free_port(), name, env)
    }

    /// [`LocalApi::start`] on `port`.
    pub fn start_on(port: u16, name: &str, env: &[(&str, String)]) -> LocalApi {
        LocalApi::start_with(port, name, env, None)
    }

    /// Another local API on `first`'s table (and DynamoDB Local), with `env` added: the same
    /// deployment seen at another time (`CLOCK_OFFSET_MS`), say. Logging to `target/<name>.log`.
    pub fn beside(first: &LocalApi, name: &str, env: &[(&str, String)]) -> LocalApi {
        let table = Some((first.dynamo_endpoint.clone(), first.table.clone()));
        LocalApi::start_with(free_port(), name, env, table)
    }

    fn start_with(
        port: u16,
        name: &str,
        env: &[(&str, String)],
        table: Option<(String, String)>,
    ) -> LocalApi {
        let cargo_lambda = find_cargo_lambda();
        // Built first, so the first requests do not wait for a compile.
        build_functions();
        let log = root().join("target").join(format!("{name}.log"));
        // `hunter2`: Bastion's documented example (tests/compat).
        let ranges = RangeServer::start(
            &[("password", 9_545_824), ("hunter2", 65_744)],
            &[],
            Behaviour::Normal,
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (dynamo, dynamo_endpoint, table) = match table {
            Some((endpoint, table)) => (None, endpoint, table),
            None => {
                let dynamo = runtime.block_on(LocalDynamo::start());
                runtime.block_on(create_table(&dynamo.client(), name));
                let endpoint = dynamo.endpoint();
                (Some(dynamo), endpoint, name.to_owned())
            }
        };
        let mut all = vec![
            ("HIBP_API_URL", ranges.url()),
            ("TABLE_NAME", table.clone()),
            ("DYNAMODB_ENDPOINT", dynamo_endpoint.clone()),
            ("EMAIL_PEPPER", TEST_PEPPER.to_owned()),
            // As deployed (LoggingConfig: JSON in template.yaml).
            ("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()),
        ];
        all.extend(env.iter().cloned());
        let watch = Watch::start(&cargo_lambda, port, &all, &log);
        LocalApi {
            port,
            log,
            ranges,
            watch,
            dynamo_endpoint,
            table,
            _dynamo: dynamo,
            _runtime: runtime,
        }
    }

    /// Stops the API and returns its log.
    pub fn stop(&mut self) -> String {
        self.watch.stop();
        std::fs::read_to_string(&self.log).unwrap()
    }
}

/// The functions' request lines in `log` (one per request, from the shared pipeline); every JSON
/// line of the log must parse.
pub fn request_lines(log: &str) -> Vec<serde_json::Value> {
    log.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("every function log line is JSON"))
        .filter(|l: &serde_json::Value| l["fields"]["message"] == "request")
        .collect()
}

/// Builds every function of the endpoint registry, so the first requests do not wait for a
/// compile.
pub fn build_functions() {
    let built = Command::new("cargo")
        .arg("build")
        .args(
            passwordapi::http::registry::functions()
                .into_iter()
                .flat_map(|f| ["-p", f]),
        )
        .current_dir(root())
        .status()
        .unwrap();
    assert!(built.success());
}

/// Waits until the local API answers `POST path` (watch starts a function on its first request).
pub fn wait_for(port: u16, path: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        match crate::http(port, "OPTIONS", path, None) {
            Ok(response) if response.status != 0 => return,
            _ if Instant::now() > deadline => panic!(
                "the local API did not answer: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            ),
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

/// `cargo lambda watch`, stopped with SIGINT (which also stops its functions) when dropped.
pub struct Watch {
    child: Child,
}

impl Watch {
    pub fn start(cargo_lambda: &Path, port: u16, env: &[(&str, String)], log: &Path) -> Watch {
        let dir = cargo_lambda.parent().unwrap();
        let path = std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        let log = std::fs::File::create(log).unwrap();
        let child = Command::new("cargo")
            .args([
                "lambda",
                "watch",
                "-A",
                "127.0.0.1",
                "-P",
                &port.to_string(),
            ])
            .current_dir(root())
            .env("PATH", path)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("cargo lambda watch starts");
        Watch { child }
    }

    pub fn stop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs a client program (`program args`, from the repository's root), echoing its output; panics
/// when it fails.
pub fn run_client(what: &str, program: &Path, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {} does not start: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("--- {what}\n{stdout}{stderr}");
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{stderr}"
    );
}
