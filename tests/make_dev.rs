//! `BREACH_SOURCE=mirror make dev`, as the README gives it: the local API with a local
//! S3-compatible server (SeaweedFS) and its bucket beside DynamoDB Local; `make admin`'s
//! `breach sync` fills the mirror from `HIBP_API_URL` (here the range API stand-in), and evaluate
//! answers from it. Its data lives in a directory of its own (`DEV_DIR`), not the checkout's.

use integration_tests::range_server::{Behaviour, RangeServer, sha1_hex};
use integration_tests::watch::{build_functions, find_cargo_lambda, wait_for};
use integration_tests::{free_port, http, root};
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `make dev`'s process group, stopped (SIGINT, then SIGKILL) when dropped.
struct Dev(Child);

impl Drop for Dev {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-INT", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

fn evaluate(port: u16) -> Value {
    let body = json!({"password": "password"}).to_string();
    let response = http(port, "POST", "/v1/evaluate", Some(&body)).unwrap();
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

#[test]
fn make_dev_with_breach_source_mirror_answers_from_the_local_mirror() {
    let ranges = RangeServer::start(&[("password", 42)], &[], Behaviour::Normal);
    let (port, dynamo_port, mirror_port) = (free_port(), free_port(), free_port());
    let dir = root().join(format!("target/make-dev-{port}"));
    let log = root().join("target/make-dev.log");
    build_functions();
    let admin = integration_tests::admin_tool();
    let path = std::env::join_paths(
        std::iter::once(find_cargo_lambda().parent().unwrap().to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ),
    )
    .unwrap();
    let file = std::fs::File::create(&log).unwrap();
    let child = Command::new("make")
        .args(["--no-print-directory", "dev"])
        .current_dir(root())
        .env("PATH", &path)
        .env("BREACH_SOURCE", "mirror")
        .env("PORT", port.to_string())
        .env("DYNAMODB_PORT", dynamo_port.to_string())
        .env("MIRROR_PORT", mirror_port.to_string())
        .env("DEV_DIR", &dir)
        .env("HIBP_API_URL", ranges.url())
        .env_remove("TABLE_NAME")
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .process_group(0)
        .spawn()
        .expect("make dev starts");
    let _dev = Dev(child);
    wait_for(port, "/v1/evaluate", &log);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(&format!(
            "breach mirror: bucket passwordapi-mirror at http://127.0.0.1:{mirror_port}"
        )),
        "{text}"
    );

    // Nothing mirrored yet: with BREACH_SOURCE=mirror the check is unavailable, not asked upstream.
    let before = evaluate(port);
    assert_eq!(
        (&before["breach_check"], &before["breach_source"]),
        (&json!("unavailable"), &Value::Null),
        "{before}"
    );
    assert!(ranges.requests().is_empty());

    let prefix = &sha1_hex("password")[..5];
    let synced = Command::new(admin)
        .args(["--local", "breach", "sync", "--prefixes", prefix])
        .current_dir(root())
        .env("DYNAMODB_PORT", dynamo_port.to_string())
        .env("MIRROR_PORT", mirror_port.to_string())
        .env("HIBP_API_URL", ranges.url())
        .env_remove("TABLE_NAME")
        .env_remove("MIRROR_ENDPOINT")
        .env_remove("MIRROR_BUCKET")
        .output()
        .unwrap();
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&synced.stdout).trim(),
        format!("{prefix}-{prefix}: 1 written, 0 unchanged, 0 failed")
    );

    let after = evaluate(port);
    assert_eq!(
        (
            &after["breach_check"],
            &after["breach_count"],
            &after["breach_source"]
        ),
        (&json!("ok"), &json!(42), &json!("mirror")),
        "{after}"
    );
    assert!(after["breach_data_as_of"].is_string());
    assert_eq!(ranges.requests().len(), 1, "only the sync asked upstream");
    drop(_dev);
    let _ = std::fs::remove_dir_all(&dir);
}
