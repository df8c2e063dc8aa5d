//! openapi.yaml and the code agree: the same routes and methods, the same parameters per operation,
//! the same error codes. (Schemathesis, run by `.ci/contract`, checks the responses themselves.)

use passwordapi::http::error::ErrorCode;
use passwordapi::http::{accounts, evaluate, generate, registry};
use proptest::prelude::*;
use serde_norway::Value as Yaml;
use std::collections::BTreeSet;

fn spec() -> Yaml {
    let path = integration_tests::root().join("openapi.yaml");
    serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

fn operation<'a>(spec: &'a Yaml, path: &str, method: &str) -> &'a Yaml {
    let op = &spec["paths"][path][method];
    assert!(!op.is_null(), "{method} {path} is not in openapi.yaml");
    op
}

fn query_params(op: &Yaml) -> BTreeSet<String> {
    op["parameters"]
        .as_sequence()
        .map(|params| {
            params
                .iter()
                .filter(|p| p["in"].as_str() == Some("query"))
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn body_params(spec: &Yaml, op: &Yaml) -> BTreeSet<String> {
    let mut schema = &op["requestBody"]["content"]["application/json"]["schema"];
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        schema = &spec["components"]["schemas"][name];
    }
    if schema.is_null() {
        return BTreeSet::new();
    }
    assert_eq!(
        schema["additionalProperties"],
        Yaml::from(false),
        "unknown body parameters are rejected, so the spec must say so"
    );
    schema["properties"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_spec_has_exactly_the_routes_and_methods_of_the_code() {
    let spec = spec();
    let in_code: BTreeSet<String> = registry::ENDPOINTS
        .iter()
        .map(|e| e.route)
        .flat_map(|r| {
            r.allow()
                .into_iter()
                .map(move |m| format!("{} {}", m.to_lowercase(), r.path))
        })
        .collect();
    let in_spec: BTreeSet<String> = spec["paths"]
        .as_mapping()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            let path = path.as_str().unwrap().to_owned();
            ops.as_mapping()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {path}", m.as_str().unwrap()))
        })
        .collect();
    assert_eq!(in_spec, in_code);
}

#[test]
fn the_spec_has_exactly_the_parameters_of_the_code() {
    let spec = spec();
    let generate_params = set(generate::PARAMS.iter().copied());
    let get = operation(&spec, "/v1/generate", "get");
    assert_eq!(query_params(get), generate_params);
    assert_eq!(body_params(&spec, get), BTreeSet::new());
    let post = operation(&spec, "/v1/generate", "post");
    let mut with_key = generate_params.clone();
    with_key.extend(set(generate::BODY_ONLY_PARAMS.iter().copied()));
    assert_eq!(body_params(&spec, post), with_key);
    assert_eq!(query_params(post), BTreeSet::new());

    let op = operation(&spec, "/v1/evaluate", "post");
    assert_eq!(
        query_params(op),
        set(evaluate::QUERY_PARAMS.iter().copied())
    );
    assert_eq!(
        body_params(&spec, op),
        set(evaluate::BODY_PARAMS.iter().copied())
    );

    for (path, method, params) in [
        ("/v1/keys/register", "post", accounts::REGISTER_PARAMS),
        ("/v1/keys/regenerate", "post", accounts::REGENERATE_PARAMS),
        ("/v1/keys/usage", "put", accounts::USAGE_PARAMS),
        ("/v1/keys/usage", "get", &[][..]),
    ] {
        let op = operation(&spec, path, method);
        assert_eq!(
            body_params(&spec, op),
            set(params.iter().copied()),
            "{method} {path}"
        );
        assert_eq!(query_params(op), BTreeSet::new(), "{method} {path}");
    }

    // The drop-in routes: each service's documented fields, in the body or the query, as the
    // registry's forms of the routes give them.
    let drop_ins: Vec<_> = registry::ENDPOINTS
        .iter()
        .filter_map(|e| e.drop_in.map(|forms| (e, forms)))
        .collect();
    assert_eq!(drop_ins.len(), 3, "PassGeni, TinyFn, Bunny");
    for (endpoint, forms) in drop_ins {
        let path = endpoint.route.path;
        let method = endpoint.route.methods[0].as_str().to_ascii_lowercase();
        let op = operation(&spec, path, &method);
        assert_eq!(
            body_params(&spec, op),
            set(forms.body.iter().copied()),
            "{path}"
        );
        assert_eq!(query_params(op), set(forms.query.iter().copied()), "{path}");
    }
}

/// Every stable error code, from the one list in the code (`ErrorCode`).
fn codes_in_code() -> BTreeSet<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

#[test]
fn the_spec_lists_exactly_the_error_codes_of_the_code() {
    let spec = spec();
    let in_spec: BTreeSet<String> = spec["components"]["schemas"]["ErrorCode"]["enum"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let in_code = codes_in_code();
    assert!(in_code.len() >= 20, "{in_code:?}");
    assert_eq!(in_spec, in_code);
    // And the README's table gives every one with its status, and no other.
    let readme = std::fs::read_to_string(integration_tests::root().join("README.md")).unwrap();
    let table: BTreeSet<(String, u16)> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| code | status | when |"))
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let status = cells.get(2)?.parse().ok()?;
            code.bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_')
                .then(|| (code.to_owned(), status))
        })
        .collect();
    let in_code_with_status: BTreeSet<(String, u16)> = ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.status().as_u16()))
        .collect();
    assert_eq!(table, in_code_with_status);
}

/// The spec's `Email` pattern, as a regex (read once: the property test asks for it per case).
fn email_pattern() -> &'static regex::Regex {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| {
        let spec = spec();
        let pattern = spec["components"]["schemas"]["Email"]["pattern"].as_str();
        regex::Regex::new(pattern.unwrap()).unwrap()
    })
}

#[test]
fn the_email_pattern_says_what_the_code_accepts() {
    let pattern = email_pattern();
    for good in [
        "you@example.com",
        " \tYou+News@Example.COM\r\n",
        "o'hara{x}@sub-1.example.co",
        "a.b@xn--bcher-kva.example",
    ] {
        assert!(
            passwordapi::keys::normalize_email(good).is_some(),
            "{good:?}"
        );
        assert!(pattern.is_match(good), "{good:?}");
    }
    for bad in [
        "you@example",
        "you.@example.com",
        "you@-example.com",
        "\u{a0}you@example.com",
        "you@example.com\u{2003}",
        "you@example.com\u{b}",
    ] {
        assert!(passwordapi::keys::normalize_email(bad).is_none(), "{bad:?}");
        assert!(!pattern.is_match(bad), "{bad:?}");
    }
}

fn chars_from(alphabet: &'static [char], len: std::ops::Range<usize>) -> BoxedStrategy<String> {
    prop::collection::vec(prop::sample::select(alphabet), len)
        .prop_map(String::from_iter)
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    /// Schemathesis sends strings the pattern rejects and expects a 4xx: every address the code
    /// accepts must match the pattern. Near-addresses with odd characters and spaces around.
    #[test]
    fn every_accepted_email_matches_the_pattern(
        before in chars_from(&[' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{a0}', '\u{2003}'], 0..3),
        local in chars_from(&['a', 'Z', '0', '.', '+', '\'', '{', '-', '_', '"', 'é', ' ', '@'], 1..6),
        labels in prop::collection::vec(chars_from(&['a', 'Z', '0', '-', '_', 'é', ' '], 1..5), 1..4),
        after in chars_from(&[' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{a0}', '\u{2003}'], 0..3),
    ) {
        let text = format!("{before}{local}@{}{after}", labels.join("."));
        if passwordapi::keys::normalize_email(&text).is_some() {
            prop_assert!(email_pattern().is_match(&text), "accepted but outside the spec: {:?}", text);
        }
    }
}

/// A property's schema in the spec with its `$ref` followed and its "or null" dropped (MCP tool
/// arguments are simply left out when not wanted).
fn resolved(spec: &Yaml, schema: &Yaml) -> Yaml {
    let mut schema = schema;
    if let Some(options) = schema["oneOf"].as_sequence() {
        let options: Vec<&Yaml> = options
            .iter()
            .filter(|o| o["type"].as_str() != Some("null"))
            .collect();
        if options.len() > 1 {
            // A real choice (policy: a preset or passwordrules): each option resolved.
            let mut choice = serde_norway::Mapping::new();
            let resolved: Vec<Yaml> = options.iter().map(|o| resolved(spec, o)).collect();
            choice.insert(Yaml::from("oneOf"), Yaml::from(resolved));
            return Yaml::Mapping(choice);
        }
        schema = options[0];
    }
    if let Some(reference) = schema["$ref"].as_str() {
        schema = &spec["components"]["schemas"][reference.rsplit('/').next().unwrap()];
    }
    let mut schema = schema.clone();
    if let Some(properties) = schema.get_mut("properties").and_then(Yaml::as_mapping_mut) {
        for (_, property) in properties.iter_mut() {
            *property = resolved(spec, property);
        }
    }
    if let Some(types) = schema["type"].as_sequence() {
        let types: Vec<Yaml> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .cloned()
            .collect();
        schema["type"] = if types.len() == 1 {
            types[0].clone()
        } else {
            Yaml::from(types)
        };
    }
    schema
}

/// Each keyword the spec's schema states has the same value in the tool's.
fn same_keywords(tool: &Yaml, spec: &Yaml, at: &str) {
    for keyword in [
        "type",
        "enum",
        "minimum",
        "maximum",
        "maxLength",
        "minLength",
        "maxItems",
        "items",
        "required",
        "additionalProperties",
        "properties",
    ] {
        if !spec[keyword].is_null() {
            assert_eq!(tool[keyword], spec[keyword], "{at} {keyword}");
        }
    }
    if let Some(options) = spec["oneOf"].as_sequence() {
        let tool_options = tool["oneOf"].as_sequence().expect("a oneOf");
        assert_eq!(tool_options.len(), options.len(), "{at}");
        for (t, s) in tool_options.iter().zip(options) {
            same_keywords(t, s, at);
        }
    }
}

fn to_yaml(json: &serde_json::Value) -> Yaml {
    serde_norway::to_value(json).unwrap()
}

#[test]
fn mcp_tools_take_the_rest_parameters_with_the_spec_schemas_and_give_its_bodies() {
    use passwordapi::http::mcp::tools::ToolName;
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let hibp = &operation(&spec, "/v1/evaluate", "post")["parameters"][0];
    assert_eq!(hibp["name"], Yaml::from("hibp"));
    for (name, request, output) in [
        (
            ToolName::GeneratePassword,
            Some(&schemas["GenerateRequest"]),
            "Generated",
        ),
        (
            ToolName::EvaluatePassword,
            Some(&schemas["EvaluateRequest"]),
            "Evaluation",
        ),
        (ToolName::GetUsage, None, "UsageBody"),
    ] {
        let tool = serde_json::to_value(name.tool()).unwrap();
        let input = &tool["inputSchema"];
        let properties = input["properties"].as_object().unwrap();
        assert_eq!(
            set(properties.keys().map(String::as_str)),
            set(name.params()),
            "{}",
            name.as_str()
        );
        assert_eq!(input["additionalProperties"], false);
        for (param, schema) in properties {
            let in_spec = match request {
                Some(_) if param == "hibp" => resolved(&spec, &hibp["schema"]),
                Some(request) => resolved(&spec, &request["properties"][param.as_str()]),
                None => unreachable!("get_usage takes nothing"),
            };
            let schema = to_yaml(schema);
            same_keywords(&schema, &in_spec, &format!("{} {param}", name.as_str()));
            assert!(
                schema["description"].is_string(),
                "{} {param}: a description for the agent",
                name.as_str()
            );
        }
        if let Some(request) = request {
            let names = |y: &Yaml| -> BTreeSet<String> {
                y.as_sequence()
                    .map(|s| s.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default()
            };
            let mut expected = names(&request["required"]);
            if name == ToolName::CheckPolicy {
                expected.insert("policy".to_owned());
            }
            assert_eq!(
                names(&to_yaml(&input["required"])),
                expected,
                "{}",
                name.as_str()
            );
        }
        // The result is the REST body: the same required fields and properties.
        let result = to_yaml(&tool["outputSchema"]["anyOf"][0]);
        let body = &schemas[output];
        assert_eq!(result["required"], body["required"], "{output}");
        let keys = |s: &Yaml| -> BTreeSet<String> {
            s["properties"]
                .as_mapping()
                .unwrap()
                .keys()
                .map(|k| k.as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(keys(&result), keys(body), "{output}");
        // A refused call's structured content is the spec's Error body.
        let error = to_yaml(&tool["outputSchema"]["anyOf"][1]);
        assert_eq!(error["required"], schemas["Error"]["required"]);
        assert_eq!(keys(&error), keys(&schemas["Error"]));
        let codes = |s: &Yaml| -> BTreeSet<String> {
            s["enum"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            codes(&error["properties"]["error"]),
            codes(&schemas["ErrorCode"])
        );
    }
}

/// The names in backquotes in the first cell of each row of README's table under `header`.
fn readme_table_names(header: &str) -> BTreeSet<String> {
    let readme = std::fs::read_to_string(integration_tests::root().join("README.md")).unwrap();
    let table = readme
        .split(header)
        .nth(1)
        .unwrap_or_else(|| panic!("README's table {header}"));
    table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|l| {
            let cell = l.split(" | ").next().unwrap().to_owned();
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn readme_lists_exactly_the_policy_rules_of_the_code() {
    let in_code = set(passwordapi::evaluate::policy::RULES.iter().map(|(n, _)| *n));
    assert_eq!(readme_table_names("| rule | the password has |"), in_code);
}

#[test]
fn readme_lists_exactly_the_generate_parameters_of_the_code() {
    let in_code = set(passwordapi::http::generate::PARAMS.iter().copied());
    assert_eq!(
        readme_table_names("| param | type | default | meaning |"),
        in_code
    );
}

#[test]
fn the_specs_languages_and_locales_are_the_shipped_ones() {
    let spec = spec();
    let request = &spec["components"]["schemas"]["EvaluateRequest"]["properties"];
    let strings = |v: &Yaml| -> BTreeSet<String> {
        v.as_sequence()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        strings(&request["dictionaries"]["items"]["enum"]),
        set(passwordapi::evaluate::model::data::LANGUAGES)
    );
    assert_eq!(
        strings(&request["locale"]["oneOf"][0]["enum"]),
        set(passwordapi::evaluate::Translation::codes())
    );
}
