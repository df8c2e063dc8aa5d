//! Amazon's DynamoDB Local for tests and the local API: started on 127.0.0.1 on a free port (in
//! memory), and the table created from template.yaml's own definition, so tests and deployment
//! share one key schema.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, root};

/// A running DynamoDB Local; stopped when dropped, and when the test process exits (it watches
/// its standard input, which this process holds).
pub struct LocalDynamo {
    child: Option<Child>,
    port: u16,
}

/// One DynamoDB Local shared by the tests of a test binary (each test makes its own table).
pub fn shared() -> &'static LocalDynamo {
    static SHARED: std::sync::OnceLock<LocalDynamo> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(LocalDynamo::start())
        })
        .join()
        .unwrap()
    })
}

/// A fresh table in the shared DynamoDB Local, and a client for it.
pub async fn fresh_table(prefix: &str) -> (Client, String) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let local = shared();
    let client = local.client();
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("{prefix}-{}-{n}", std::process::id());
    create_table(&client, &name).await;
    (client, name)
}

impl LocalDynamo {
    /// Starts an in-memory DynamoDB Local and waits until it answers (panics after 90 s).
    pub async fn start() -> LocalDynamo {
        let port = free_port();
        let log = std::fs::File::create(root().join("target").join(format!("dynamodb-{port}.log")))
            .expect("log file");
        let child = Command::new(root().join(".ci/dynamodb-local"))
            .arg(port.to_string())
            .arg("-inMemory")
            .arg("-exitWithParent")
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("DynamoDB Local starts (run make setup to install it)");
        let local = LocalDynamo {
            child: Some(child),
            port,
        };
        let client = local.client();
        let deadline = Instant::now() + Duration::from_secs(90);
        while client.list_tables().send().await.is_err() {
            assert!(Instant::now() < deadline, "DynamoDB Local did not start");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        local
    }

    /// Its endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A client for it, built the way the functions build theirs.
    pub fn client(&self) -> Client {
        client_for(&self.endpoint())
    }

    /// Stops it (as if the database became unreachable).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            // The launcher execs java, so killing the child kills the server; wait for the port.
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

impl Drop for LocalDynamo {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A client for a local endpoint, with the functions' own configuration (timeouts, retries).
pub fn client_for(endpoint: &str) -> Client {
    let endpoint = endpoint.to_owned();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                // The functions' client, recording what each function calls (aws_calls).
                let client = passwordapi::store::dynamodb::client(Some(&endpoint)).await;
                let config = client
                    .config()
                    .to_builder()
                    .interceptor(crate::aws_calls::Recorder)
                    .build();
                Client::from_conf(config)
            })
    })
    .join()
    .unwrap()
}

/// `client` with generous timeouts: for load tests on a small machine, where DynamoDB Local under
/// hundreds of concurrent writes answers slower than the functions' production deadlines.
pub fn patient(client: &Client) -> Client {
    let config = client
        .config()
        .to_builder()
        .timeout_config(
            aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(60))
                .operation_timeout(Duration::from_secs(60))
                .build(),
        )
        .build();
    Client::from_conf(config)
}

/// Creates `name` with the key schema, attributes and TTL of template.yaml's `Table` resource
/// (nothing when it exists). Set-up, not the code under test: asked with [`patient`]
/// timeouts, since a DynamoDB Local just started (its JVM not yet warm) on a busy machine can
/// take longer than the functions' deadlines to create its first table.
pub async fn create_table(client: &Client, name: &str) {
    let client = &patient(client);
    let existing = client.list_tables().send().await.expect("list tables");
    if existing.table_names().iter().any(|t| t == name) {
        return;
    }
    let template = crate::template();
    let table = &template["Resources"]["Table"]["Properties"];
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for attribute in table["AttributeDefinitions"]
        .as_sequence()
        .expect("attributes")
    {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute["AttributeName"].as_str().unwrap())
                .attribute_type(ScalarAttributeType::from(
                    attribute["AttributeType"].as_str().unwrap(),
                ))
                .build()
                .unwrap(),
        );
    }
    for key in table["KeySchema"].as_sequence().expect("key schema") {
        request = request.key_schema(
            KeySchemaElement::builder()
                .attribute_name(key["AttributeName"].as_str().unwrap())
                .key_type(KeyType::from(key["KeyType"].as_str().unwrap()))
                .build()
                .unwrap(),
        );
    }
    request.send().await.expect("create table");
    let ttl = &table["TimeToLiveSpecification"];
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(ttl["AttributeName"].as_str().unwrap())
                .enabled(ttl["Enabled"].as_bool().unwrap())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("enable TTL");
}
