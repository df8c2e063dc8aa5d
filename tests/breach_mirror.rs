//! The breach mirror's storage against a real S3-compatible server (SeaweedFS on loopback, its
//! SigV4 signatures checked): objects written whole and read back with their metadata, a missing
//! range told apart from a failure, a wrong signature and a server that is down refused.

use integration_tests::s3::LocalS3;
use passwordapi::evaluate::bucket::BucketError;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "current_thread")]
async fn objects_are_written_whole_and_read_back_with_their_metadata() {
    let s3 = LocalS3::start().await;
    let bucket = s3.bucket("mirror");
    bucket.create().await.unwrap();
    let body =
        b"0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2".to_vec();
    let metadata = [
        ("upstream-etag", "W/\"0x8DC\""),
        ("fetched-at", "2026-12-02T18:00:00Z"),
    ];
    bucket
        .put("ranges/ABCDE", body.clone(), &metadata)
        .await
        .unwrap();
    let object = bucket.get("ranges/ABCDE").await.unwrap().expect("written");
    assert_eq!(object.body, body);
    assert_eq!(object.meta("upstream-etag"), Some("W/\"0x8DC\""));
    assert_eq!(object.meta("fetched-at"), Some("2026-12-02T18:00:00Z"));
    // A second write replaces the first whole, metadata included.
    bucket
        .put("ranges/ABCDE", b"X".to_vec(), &[("fetched-at", "later")])
        .await
        .unwrap();
    let object = bucket.get("ranges/ABCDE").await.unwrap().unwrap();
    assert_eq!(
        (object.body.as_slice(), object.meta("upstream-etag")),
        (&b"X"[..], None)
    );
    // A range never written is no failure: it is absent.
    assert_eq!(bucket.get("ranges/00000").await.unwrap(), None);
}

#[tokio::test(flavor = "current_thread")]
async fn a_wrong_signature_and_a_server_that_is_down_are_refused() {
    let s3 = LocalS3::start().await;
    s3.bucket("mirror").create().await.unwrap();
    let forged = s3.bucket_signed_by("mirror", "not-the-secret");
    match forged.get("ranges/ABCDE").await {
        Err(BucketError::Status { status: 403, code }) => {
            assert_eq!(code, "SignatureDoesNotMatch")
        }
        other => panic!("a forged signature: {other:?}"),
    }
    let bucket = s3.bucket("mirror");
    drop(s3);
    let start = Instant::now();
    assert!(matches!(
        bucket.get("ranges/ABCDE").await,
        Err(BucketError::Transport(_))
    ));
    assert!(start.elapsed() < Duration::from_secs(6));
}

/// A range stored in the mirror answers for every one of its suffixes with its count, and not
/// for another; a body that is not a range leaves the stored copy as it was; a range never
/// stored is `NotMirrored` (told apart from a failure); a stopped server is `Unreachable`.
#[tokio::test(flavor = "current_thread")]
async fn the_mirror_answers_from_its_stored_ranges() {
    use passwordapi::evaluate::breach::{BreachError, BreachSource, Origin};
    use passwordapi::evaluate::mirror::{Mirror, StoreError};
    let s3 = LocalS3::start().await;
    let bucket = s3.bucket("mirror");
    bucket.create().await.unwrap();
    let mirror = Mirror::new(bucket);
    let suffixes: Vec<String> = (1..=900u32)
        .map(|i| format!("{:035X}", i * 7_919))
        .collect();
    let body: String = suffixes
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{s}:{}\r\n", i + 1))
        .collect();
    let fetched = std::time::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
    mirror
        .store("0A1B2", &body, Some("\"etag-1\""), fetched)
        .await
        .unwrap();
    let sourced = mirror.range("0A1B2").await.unwrap();
    assert_eq!(sourced.provenance.origin, Origin::Mirror);
    assert_eq!(sourced.provenance.fetched_at, Some(fetched));
    let range = sourced.range;
    for (i, s) in suffixes.iter().enumerate() {
        let suffix: [u8; 35] = s.as_bytes().try_into().unwrap();
        assert_eq!(range.count(&suffix), i as u64 + 1);
    }
    assert_eq!(range.count(&[b'F'; 35]), 0);
    let stored = mirror.stored("0A1B2").await.unwrap().unwrap();
    assert_eq!(stored.etag.as_deref(), Some("\"etag-1\""));
    assert_eq!(stored.fetched_at, Some(fetched));
    // Out of order: refused, and the stored copy stays.
    let reversed: String = body.lines().rev().map(|l| format!("{l}\n")).collect();
    assert!(matches!(
        mirror.store("0A1B2", &reversed, None, fetched).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(mirror.range("0A1B2").await.unwrap().range, range);
    assert_eq!(mirror.range("FFFFF").await, Err(BreachError::NotMirrored));
    // An object that is not a range (written by something other than the sync) is no answer.
    s3.bucket("mirror")
        .put("ranges/0BAD0", b"<html>maintenance</html>".to_vec(), &[])
        .await
        .unwrap();
    assert!(matches!(
        mirror.range("0BAD0").await,
        Err(BreachError::BadResponse(_))
    ));
    drop(s3);
    assert!(matches!(
        mirror.range("0A1B2").await,
        Err(BreachError::Unreachable(_))
    ));
}

/// A slice synced from the range API stand-in: every known password of it found in the mirror
/// with its count and a clean one at 0; a second run asks with each range's ETag, is answered
/// 304 and writes nothing; an upstream that fails leaves the stored ranges as they were and
/// reports every prefix of the slice as failed, after its retries.
#[tokio::test(flavor = "current_thread")]
async fn a_slice_is_synced_then_found_unchanged() {
    use integration_tests::range_server::{Behaviour, RangeServer, sha1_hex};
    use passwordapi::evaluate::breach::{BreachCheck, check};
    use passwordapi::evaluate::hibp::HibpClient;
    use passwordapi::evaluate::mirror::{Mirror, SliceReport, sync_slice};
    let breached = [
        ("password", 9_545_824u64),
        ("letmein", 1_000),
        ("dragon", 42),
    ];
    let clean = ["correct horse battery staple ok"];
    let upstream = RangeServer::start(&breached, &clean, Behaviour::Normal);
    let s3 = LocalS3::start().await;
    let bucket = s3.bucket("mirror");
    bucket.create().await.unwrap();
    let mirror = Mirror::new(bucket);
    let mut slice: Vec<String> = breached
        .iter()
        .map(|(p, _)| *p)
        .chain(clean)
        .map(|p| sha1_hex(p)[..5].to_owned())
        .collect();
    slice.extend(["00000".to_owned(), "FFFFF".to_owned()]);
    let client = HibpClient::new(&upstream.url());
    let first = sync_slice(&client, &mirror, slice.clone(), 4).await;
    assert_eq!(
        first,
        SliceReport {
            unchanged: 0,
            written: slice.len(),
            failed: vec![]
        }
    );
    for (password, count) in breached {
        assert_eq!(
            check(&mirror, password).await.check,
            BreachCheck::Checked(count)
        );
    }
    assert_eq!(
        check(&mirror, clean[0]).await.check,
        BreachCheck::Checked(0)
    );
    // No padding asked for: the mirror fetches every range anyway.
    assert!(
        upstream
            .requests()
            .iter()
            .all(|r| !r.to_lowercase().contains("add-padding"))
    );
    let second = sync_slice(&client, &mirror, slice.clone(), 4).await;
    assert_eq!((second.unchanged, second.written), (slice.len(), 0));
    let conditional = upstream.requests()[slice.len()..]
        .iter()
        .filter(|r| r.to_lowercase().contains("if-none-match: \""))
        .count();
    assert_eq!(conditional, slice.len());
    // An upstream that fails: every prefix reported, the stored ranges kept.
    let failing = RangeServer::start(&breached, &clean, Behaviour::Failing);
    let report = sync_slice(&HibpClient::new(&failing.url()), &mirror, slice.clone(), 4).await;
    assert_eq!(report.failed.len(), slice.len());
    assert!(
        report.failed.iter().all(|(_, why)| why.contains("503")),
        "{report:?}"
    );
    assert_eq!(
        failing.requests().len(),
        slice.len() * 3,
        "three attempts each"
    );
    assert_eq!(
        check(&mirror, "letmein").await.check,
        BreachCheck::Checked(1_000)
    );
}

/// Evaluate answers from the mirror through the API's own pipeline: `breach_source` and
/// `breach_data_as_of` say where and when; a range the mirror lacks is `unavailable` with
/// `mirror` and asked upstream with `mirror_then_upstream`; a mirror whose storage is down is
/// `unavailable` (never a 5xx), or the upstream's answer with `mirror_then_upstream`.
#[tokio::test(flavor = "current_thread")]
async fn evaluate_reads_the_mirror_as_breach_source_says() {
    use integration_tests::aws_calls::as_function;
    use integration_tests::range_server::{Behaviour, RangeServer, sha1_hex};
    use integration_tests::{Event, body_json, memory_app};
    use passwordapi::config::BreachMode;
    use passwordapi::evaluate::hibp::HibpClient;
    use passwordapi::evaluate::mirror::{Mirror, Stored, sync_slice};
    use passwordapi::evaluate::sources::Breaches;
    use passwordapi::http::dispatch;
    use passwordapi::http::mcp::McpServer;
    use serde_json::{Value, json};
    let breached = [("password", 9_545_824u64), ("letmein", 1_000)];
    let upstream = RangeServer::start(&breached, &[], Behaviour::Normal);
    let s3 = LocalS3::start().await;
    let bucket = s3.bucket("mirror");
    bucket.create().await.unwrap();
    let mirror = Mirror::new(bucket);
    // Only "password"'s range is mirrored.
    let prefix = sha1_hex("password")[..5].to_owned();
    let report = sync_slice(
        &HibpClient::new(&upstream.url()),
        &mirror,
        [prefix.clone()],
        1,
    )
    .await;
    assert_eq!(report.written, 1);
    let Stored { fetched_at, .. } = mirror.stored(&prefix).await.unwrap().unwrap();
    let as_of = humantime::format_rfc3339_seconds(fetched_at.unwrap()).to_string();
    let app = memory_app(passwordapi::Config::default());
    // Served as the evaluate function serves it, its S3 calls recorded as its own.
    let evaluate = |breaches: Breaches, password: &'static str| {
        let app = app.clone();
        async move {
            let body = json!({ "password": password }).to_string();
            let services = dispatch::Services {
                app: Some(&*app),
                breaches: Some(&breaches),
                mcp: None,
            };
            let request = Event::post("/v1/evaluate", &body).request();
            let response = as_function("evaluate", dispatch::serve("evaluate", &services, request))
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let json = body_json(&response);
            (
                json["breach_check"].clone(),
                json["breach_count"].clone(),
                json["breach_source"].clone(),
                json["breach_data_as_of"].clone(),
            )
        }
    };
    let only = |mode| Breaches::new(mode, Some(mirror.clone()), &upstream.url());
    let asked = upstream.requests().len();
    assert_eq!(
        evaluate(only(BreachMode::Mirror), "password").await,
        (json!("ok"), json!(9_545_824), json!("mirror"), json!(as_of))
    );
    let unavailable = (json!("unavailable"), Value::Null, Value::Null, Value::Null);
    assert_eq!(
        evaluate(only(BreachMode::Mirror), "letmein").await,
        unavailable
    );
    assert_eq!(
        upstream.requests().len(),
        asked,
        "mirror: nothing asked upstream"
    );
    let (check, count, source, _) = evaluate(only(BreachMode::MirrorThenUpstream), "letmein").await;
    assert_eq!(
        (check, count, source),
        (json!("ok"), json!(1_000), json!("upstream"))
    );
    assert_eq!(upstream.requests().len(), asked + 1);
    assert_eq!(
        evaluate(only(BreachMode::MirrorThenUpstream), "password")
            .await
            .2,
        json!("mirror")
    );
    // The MCP server's evaluate_password reads the same source, and answers the same.
    let mcp = McpServer::new(app.clone(), only(BreachMode::Mirror));
    let services = dispatch::Services {
        app: Some(&*app),
        breaches: None,
        mcp: Some(&mcp),
    };
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "evaluate_password", "arguments": {"password": "password"}}});
    let request = Event::post("/mcp", &call.to_string())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .request();
    let response = as_function("mcp", dispatch::serve("mcp", &services, request))
        .await
        .unwrap();
    let answer = body_json(&response);
    let content = &answer["result"]["structuredContent"];
    assert_eq!(
        (
            &content["breach_count"],
            &content["breach_source"],
            &content["breach_data_as_of"]
        ),
        (&json!(9_545_824), &json!("mirror"), &json!(as_of)),
        "{answer}"
    );
    // The storage down.
    drop(s3);
    assert_eq!(
        evaluate(only(BreachMode::Mirror), "password").await,
        unavailable
    );
    let (check, count, source, _) =
        evaluate(only(BreachMode::MirrorThenUpstream), "password").await;
    assert_eq!(
        (check, count, source),
        (json!("ok"), json!(9_545_824), json!("upstream"))
    );
}

/// `BREACH_SOURCE=auto` (the default): a function that starts before the breach sync has
/// completed a pass reads the range API; one that starts after, the mirror and then the range
/// API. It learns which from the sync's ledger in the table (one read at start-up), recorded
/// here as evaluate's and mcp's (tests/permissions.rs).
#[tokio::test(flavor = "current_thread")]
async fn auto_reads_the_mirror_once_the_sync_has_completed_a_pass() {
    use integration_tests::aws_calls::as_function;
    use integration_tests::dynamo::fresh_table;
    use passwordapi::config::BreachMode;
    use passwordapi::evaluate::sync::Ledger;
    use passwordapi::store::dynamodb::DynamoStore;
    use std::sync::Arc;
    let (client, table) = fresh_table("auto").await;
    let store = Arc::new(DynamoStore::new(client, table));
    let app = |bucket: Option<&str>, mode: BreachMode| {
        let config = passwordapi::Config {
            pepper: passwordapi::keys::Pepper::new(integration_tests::TEST_PEPPER.as_bytes()),
            mirror_bucket: bucket.map(str::to_owned),
            breach_source: mode,
            ..passwordapi::Config::default()
        };
        passwordapi::http::App::new(config, store.clone()).unwrap()
    };
    let auto = app(Some("mirror"), BreachMode::Auto);
    assert_eq!(
        passwordapi::Config::default().breach_source,
        BreachMode::Auto
    );
    for function in ["evaluate", "mcp"] {
        assert_eq!(
            as_function(function, auto.breach_mode()).await,
            BreachMode::Upstream
        );
    }
    // A pass over nothing (its walk ends at 0) completes at once.
    let now = passwordapi::quota::now_ms();
    assert!(
        store
            .claim("test", now, now + 60_000)
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.begin("test", now).await.unwrap());
    assert!(store.complete("test", now, 0).await.unwrap());
    for function in ["evaluate", "mcp"] {
        assert_eq!(
            as_function(function, auto.breach_mode()).await,
            BreachMode::MirrorThenUpstream
        );
    }
    // Without a bucket there is no mirror to read; an explicit mode is as it says.
    assert_eq!(
        app(None, BreachMode::Auto).breach_mode().await,
        BreachMode::Upstream
    );
    assert_eq!(
        app(Some("mirror"), BreachMode::Upstream)
            .breach_mode()
            .await,
        BreachMode::Upstream
    );
    assert_eq!(
        app(Some("mirror"), BreachMode::Mirror).breach_mode().await,
        BreachMode::Mirror
    );
}
