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
