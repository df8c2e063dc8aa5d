//! A local AWS Secrets Manager (moto's server, installed into .venv by `make setup`) for the test
//! of how deployed functions read the pepper: the real Secrets Manager wire protocol, on loopback.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, root};

/// A running moto server; stopped when dropped.
pub struct LocalSecretsManager {
    child: Child,
    port: u16,
}

impl LocalSecretsManager {
    /// Starts it on a free loopback port and waits until it answers (panics after 60 s).
    pub async fn start() -> LocalSecretsManager {
        let port = free_port();
        let log = std::fs::File::create(root().join("target").join(format!("moto-{port}.log")))
            .expect("log file");
        let child = Command::new(root().join(".venv/bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("moto_server starts (run make setup to install it)");
        let local = LocalSecretsManager { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while local.client().list_secrets().send().await.is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        local
    }

    /// Its endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates the secret `name` holding `value`; its ARN.
    pub async fn create_secret(&self, name: &str, value: &str) -> String {
        self.client()
            .create_secret()
            .name(name)
            .secret_string(value)
            .send()
            .await
            .expect("the secret is created")
            .arn()
            .expect("an ARN")
            .to_owned()
    }

    /// A client for it, configured the way the functions configure theirs.
    pub fn client(&self) -> aws_sdk_secretsmanager::Client {
        let endpoint = self.endpoint();
        let config = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(passwordapi::aws::sdk_config(Some(&endpoint)))
        })
        .join()
        .unwrap();
        aws_sdk_secretsmanager::Client::new(&config)
    }
}

impl Drop for LocalSecretsManager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
