//! The permissions are proven by the calls: every AWS call each function made in the test suites
//! (recorded from the wire by `integration_tests::aws_calls`) against what `template.yaml`
//! grants it — the DynamoDB actions, the table, and the partition keys (`dynamodb:LeadingKeys`).
//! Each call must be granted (a first deploy never meets AccessDenied) and each grant used (none
//! is there for nothing).
//!
//! It reads what the other suites recorded, so it runs after them: `make test` clears
//! `target/aws-calls/`, runs every suite, then this one (`--ignored`: alone it would find nothing
//! recorded, and says so).

use integration_tests::aws_calls::{AwsCall, recorded};
use passwordapi::http::registry;
use serde_norway::Value as Yaml;
use std::collections::BTreeSet;

fn template() -> Yaml {
    let text = std::fs::read_to_string(integration_tests::root().join("template.yaml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

/// The template's resource of `function` (the binary its BuildProperties name).
fn resource_of<'a>(template: &'a Yaml, function: &str) -> (&'a str, &'a Yaml) {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(function))
        .map(|(name, r)| (name.as_str().unwrap(), r))
        .unwrap_or_else(|| panic!("no resource builds {function}"))
}

/// A `dynamodb:LeadingKeys` pattern (`StringLike`: `*` any run, `?` one character).
fn like(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == value,
        Some((head, tail)) => {
            value.starts_with(head)
                && (0..=value.len() - head.len()).any(|i| like(tail, &value[head.len() + i..]))
        }
    }
}

/// A partition key as recorded, to match against a grant: a prefix (`USAGE#IP#`) stands for any
/// key it starts (so a pattern must cover more than the prefix); a key without `#` (`PLAN`) is
/// that key.
fn touched(key_prefix: &str) -> String {
    if key_prefix.ends_with('#') {
        format!("{key_prefix}x")
    } else {
        key_prefix.to_owned()
    }
}

/// Every statement of `resource`'s policies.
fn statements(resource: &Yaml) -> impl Iterator<Item = &Yaml> {
    resource["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
        .flat_map(|p| p["Statement"].as_sequence().into_iter().flatten())
}

/// The actions `statement` grants of one service (`service` is its prefix, e.g. `s3:`), without
/// the prefix.
fn actions_of<'a>(statement: &'a Yaml, service: &str) -> Vec<&'a str> {
    statement["Action"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str()?.strip_prefix(service))
        .collect()
}

/// What the template grants `resource` on the table: actions and leading-key patterns.
fn dynamodb_grants(resource: &Yaml) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut actions, mut keys) = (BTreeSet::new(), BTreeSet::new());
    for statement in statements(resource) {
        let granted = actions_of(statement, "dynamodb:");
        if granted.is_empty() {
            continue;
        }
        assert_eq!(
            statement["Resource"]["Fn::GetAtt"],
            Yaml::Sequence(vec![Yaml::from("Table"), Yaml::from("Arn")]),
            "the table and only the table"
        );
        actions.extend(granted.into_iter().map(str::to_owned));
        let leading = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
            .as_sequence()
            .expect("every DynamoDB grant is limited by leading keys");
        keys.extend(leading.iter().map(|k| k.as_str().unwrap().to_owned()));
    }
    (actions, keys)
}

/// How `resource`'s S3 grants differ from its recorded S3 calls: the object actions granted
/// must be those called, on the mirror's ranges only (`${MirrorBucket.Arn}/ranges/*`, every
/// call's key under `ranges/`); `s3:ListBucket`, on the bucket only, goes with `s3:GetObject` (S3
/// answers a missing object 403 without it, and the mirror must tell a missing range from a
/// refusal).
fn s3_mismatches(resource: &str, definition: &Yaml, calls: &[&AwsCall]) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut granted = BTreeSet::new();
    let mut lists = false;
    for statement in statements(definition) {
        for action in actions_of(statement, "s3:") {
            if action == "ListBucket" {
                lists = true;
                assert_eq!(
                    statement["Resource"]["Fn::GetAtt"],
                    Yaml::Sequence(vec![Yaml::from("MirrorBucket"), Yaml::from("Arn")]),
                    "{resource}: ListBucket on the bucket only"
                );
            } else {
                assert_eq!(
                    statement["Resource"]["Fn::Sub"],
                    Yaml::from("${MirrorBucket.Arn}/ranges/*"),
                    "{resource}: {action} on the ranges only"
                );
                granted.insert(action.to_owned());
            }
        }
    }
    let s3: Vec<&&AwsCall> = calls.iter().filter(|c| c.service == "s3").collect();
    let called: BTreeSet<String> = s3.iter().map(|c| c.action.clone()).collect();
    if called != granted {
        wrong.push(format!(
            "{resource}: calls S3 {called:?}, granted {granted:?} (template.yaml)"
        ));
    }
    if let Some(call) = s3.iter().find(|c| c.key_prefix != "ranges/") {
        wrong.push(format!("{resource}: {call:?} is not under ranges/"));
    }
    if lists != granted.contains("GetObject") {
        wrong.push(format!(
            "{resource}: s3:ListBucket must go with s3:GetObject, and only with it"
        ));
    }
    wrong
}

#[test]
#[ignore = "reads the calls the other suites recorded: make test runs it after them"]
fn every_function_is_granted_exactly_the_aws_calls_it_makes() {
    let calls = recorded();
    assert!(
        !calls.is_empty(),
        "no AWS call recorded in target/aws-calls: run the suites first (make test does)"
    );
    let template = template();
    let mut wrong = Vec::new();
    // The API's functions and the scheduled one.
    let functions = registry::functions()
        .into_iter()
        .chain([passwordapi::schedule::FUNCTION]);
    for function in functions {
        let (resource, definition) = resource_of(&template, function);
        let all: Vec<&AwsCall> = calls.iter().filter(|c| c.function == function).collect();
        wrong.extend(s3_mismatches(resource, definition, &all));
        let made: Vec<&AwsCall> = all
            .into_iter()
            .filter(|c| c.service == "dynamodb")
            .collect();
        let (actions, keys) = dynamodb_grants(definition);
        let called: BTreeSet<String> = made.iter().map(|c| c.action.clone()).collect();
        if called != actions {
            wrong.push(format!(
                "{resource}: calls {called:?}, granted {actions:?} (template.yaml)"
            ));
        }
        for call in &made {
            assert_eq!(call.service, "dynamodb");
            if !keys.iter().any(|k| like(k, &touched(&call.key_prefix))) {
                wrong.push(format!(
                    "{resource}: {} on {}… is not within {keys:?}",
                    call.action, call.key_prefix
                ));
            }
        }
        for key in &keys {
            if !made.iter().any(|c| like(key, &touched(&c.key_prefix))) {
                wrong.push(format!("{resource}: {key} is granted but never used"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Every call was made by a function of the registry, or the operator's tool.
    for call in &calls {
        assert!(
            registry::functions().contains(&call.function.as_str())
                || [ADMIN, passwordapi::schedule::FUNCTION].contains(&call.function.as_str()),
            "{call:?}"
        );
    }
}

/// The operator's tool, as the recorder names its calls.
const ADMIN: &str = "passwordapi-admin";

/// README's least-privilege policy for the operators: its DynamoDB actions.
fn operators_policy() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(integration_tests::root().join("README.md")).unwrap();
    let from = readme
        .find("**Least-privilege policy**")
        .expect("README gives the operators' policy");
    let json = &readme[from..];
    let json = &json[json.find("```json").unwrap() + "```json".len()..];
    let json = &json[..json.find("```").unwrap()];
    let policy: serde_json::Value = serde_json::from_str(json).expect("the policy is JSON");
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Resource"], "<TableArn output>");
    statements[0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_str().unwrap();
            a.strip_prefix("dynamodb:").unwrap_or(a).to_owned()
        })
        .collect()
}

#[test]
#[ignore = "reads the calls the other suites recorded: make test runs it after them"]
fn the_operators_policy_grants_exactly_the_calls_the_tool_makes() {
    let called: BTreeSet<String> = recorded()
        .into_iter()
        .filter(|c| c.function == ADMIN)
        .map(|c| c.action)
        .collect();
    assert!(
        !called.is_empty(),
        "no call of the tool recorded: run the suites first"
    );
    assert_eq!(
        called,
        operators_policy(),
        "README's policy against the tool's calls"
    );
}

#[test]
fn leading_key_patterns_match_as_iam_matches_them() {
    assert!(like("USAGE#*", "USAGE#IP#abc"));
    assert!(like("ACCOUNT#*", "ACCOUNT#x"));
    assert!(!like("ACCOUNT#*", "USAGE#ACCOUNT#x"));
    assert!(like("*#x", "A#B#x"));
    assert!(!like("EMAIL#*", "EMAI"));
}
