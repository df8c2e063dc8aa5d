//! The deployment descriptors agree with each other and with the code: every route in template.yaml
//! is in the local watch router with the same function, each function's binary exists, the functions
//! serve the paths they are routed, and every sample event parses.

use integration_tests::{root, template};
use serde_norway::Value as Yaml;
use std::collections::BTreeMap;

/// path → function, as the endpoint registry declares it.
fn registry_routes() -> BTreeMap<String, String> {
    passwordapi::http::registry::ENDPOINTS
        .iter()
        .map(|e| (e.route.path.to_owned(), e.function.to_owned()))
        .collect()
}

fn cargo_toml() -> toml::Table {
    std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap()
}

/// path → function, from `[workspace.metadata.lambda.watch.router]`. A path with a trailing
/// slash must go where the path without it goes (API Gateway routes them alike; cargo lambda's
/// router needs both) and is folded into it.
fn watch_router() -> BTreeMap<String, String> {
    let manifest = cargo_toml();
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"]
        .as_table()
        .expect("a watch router");
    let mut routes: BTreeMap<String, String> = router
        .iter()
        .map(|(path, target)| {
            // Every method goes to the function: a plain function name, not per-method entries.
            let function = target
                .as_str()
                .unwrap_or_else(|| panic!("{path} must route every method to one function"));
            (path.clone(), function.to_string())
        })
        .collect();
    let aliases: Vec<String> = routes
        .keys()
        .filter(|p| p.len() > 1 && p.ends_with('/'))
        .cloned()
        .collect();
    for alias in aliases {
        let function = routes.remove(&alias).unwrap();
        assert_eq!(
            routes.get(alias.trim_end_matches('/')),
            Some(&function),
            "{alias} goes elsewhere than its path without the slash"
        );
    }
    routes
}

struct TemplateFunction {
    binary: String,
    routes: Vec<(String, String)>,
}

fn template_functions() -> Vec<TemplateFunction> {
    let template = template();
    let resources = template["Resources"].as_mapping().unwrap();
    let mut out = Vec::new();
    for (_, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        assert_eq!(
            resource["Metadata"]["BuildMethod"],
            Yaml::from("rust-cargolambda")
        );
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .expect("BuildProperties.Binary")
            .to_string();
        let mut routes = Vec::new();
        if let Some(events) = resource["Properties"]["Events"].as_mapping() {
            for (_, event) in events {
                // The breach sync runs on schedules; every other function on routes.
                if event["Type"] == "Schedule" {
                    assert_eq!(binary, passwordapi::schedule::FUNCTION);
                    continue;
                }
                assert_eq!(event["Type"], Yaml::from("HttpApi"));
                let path = event["Properties"]["Path"]
                    .as_str()
                    .unwrap_or("$default")
                    .to_string();
                let method = event["Properties"]["Method"]
                    .as_str()
                    .unwrap_or("ANY")
                    .to_string();
                routes.push((path, method));
            }
        }
        out.push(TemplateFunction { binary, routes });
    }
    out
}

#[test]
fn template_routes_and_the_watch_router_agree() {
    let mut deployed = BTreeMap::new();
    let mut default_routes = 0;
    for function in template_functions() {
        for (path, method) in function.routes {
            assert_eq!(
                method, "ANY",
                "{path}: route every method so the function answers 405 itself"
            );
            if path == "$default" {
                default_routes += 1;
            } else {
                assert!(
                    deployed
                        .insert(path.clone(), function.binary.clone())
                        .is_none(),
                    "{path} routed twice"
                );
            }
        }
    }
    assert_eq!(
        default_routes, 1,
        "one function answers unknown paths with JSON 404"
    );
    assert_eq!(deployed, watch_router());
    assert_eq!(
        deployed,
        registry_routes(),
        "template.yaml against the registry"
    );
}

#[test]
fn every_routed_function_serves_its_path_and_exists_as_a_member() {
    let manifest = cargo_toml();
    let members: Vec<&str> = manifest["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    let routes = registry_routes();
    assert_eq!(
        watch_router(),
        routes,
        "the watch router against the registry"
    );
    for (path, function) in watch_router() {
        assert!(
            members.contains(&format!("functions/{function}").as_str()),
            "{function} is not a workspace member"
        );
        assert!(
            root()
                .join("functions")
                .join(&function)
                .join("src/main.rs")
                .exists()
        );
        assert_eq!(routes.get(&path), Some(&function));
    }
    let template_binaries: Vec<String> =
        template_functions().into_iter().map(|f| f.binary).collect();
    for dir in std::fs::read_dir(root().join("functions")).unwrap() {
        let name = dir.unwrap().file_name().into_string().unwrap();
        assert!(
            template_binaries.contains(&name),
            "functions/{name} is not deployed by template.yaml"
        );
    }
}

#[test]
fn functions_run_on_graviton_with_the_custom_runtime() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Runtime"], Yaml::from("provided.al2023"));
    assert_eq!(globals["Architectures"][0], Yaml::from("arm64"));
    assert_eq!(globals["MemorySize"], Yaml::from(128));
    // Every function at 128 MB: keys hash with argon2id parameters for 131-bit secrets (~0.2 ms),
    // so register and regenerate need no more than the others.
    let resources = template["Resources"].as_mapping().unwrap();
    for (name, resource) in resources {
        if resource["Type"] == "AWS::Serverless::Function" {
            assert!(
                resource["Properties"]["MemorySize"].is_null(),
                "{name:?} overrides the memory size"
            );
        }
    }
    // Every limit the contract makes configurable reaches the functions.
    for name in [
        "ANONYMOUS_DAILY_LIMIT",
        "ANONYMOUS_MAX_COUNT",
        "FREE_DAILY_LIMIT",
        "FREE_MAX_COUNT",
        "TEAM_DAILY_LIMIT",
        "TEAM_MAX_COUNT",
        "REGISTER_DAILY_LIMIT_PER_IP",
        "TABLE_NAME",
        "EMAIL_PEPPER_SECRET_ARN",
    ] {
        assert!(
            !globals["Environment"]["Variables"][name].is_null(),
            "{name}"
        );
    }
    // The pepper itself is never in the functions' configuration.
    assert!(
        globals["Environment"]["Variables"]["EMAIL_PEPPER"].is_null(),
        "EMAIL_PEPPER would be readable with lambda:GetFunctionConfiguration"
    );
    assert!(
        !serde_norway::to_string(&template)
            .unwrap()
            .contains("resolve:secretsmanager")
    );
}

/// The DynamoDB actions each function's code uses, and no more.
#[test]
fn each_function_reads_only_the_pepper_secret_and_the_console_nothing() {
    // Which DynamoDB actions and partition keys each function is granted is proven by the calls
    // the suites record (tests/permissions.rs); here: the shape of every policy.
    let template = template();
    for function in passwordapi::http::registry::functions() {
        let (resource, definition) = template["Resources"]
            .as_mapping()
            .unwrap()
            .iter()
            .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(function))
            .map(|(n, r)| (n.as_str().unwrap(), r))
            .unwrap();
        let policies = &definition["Properties"]["Policies"];
        if function == "console" {
            // The page reads no table and no secret.
            assert!(policies.is_null(), "{resource}");
            assert!(
                definition["Properties"]["Environment"].is_null(),
                "{resource}"
            );
            continue;
        }
        let policies = policies
            .as_sequence()
            .unwrap_or_else(|| panic!("{resource} has policies"));
        assert_eq!(policies.len(), 1, "{resource}");
        let statements = policies[0]["Statement"].as_sequence().unwrap();
        // The functions that check breaches may read the mirror's ranges, and nothing else of
        // the bucket: GetObject under ranges/, and ListBucket (a missing range is 404, not 403).
        let checks_breaches = ["evaluate", "mcp"].contains(&function);
        assert_eq!(
            statements.len(),
            if checks_breaches { 4 } else { 2 },
            "{resource}"
        );
        if checks_breaches {
            assert_eq!(
                statements[2]["Action"],
                Yaml::Sequence(vec![Yaml::from("s3:GetObject")])
            );
            assert_eq!(
                statements[2]["Resource"]["Fn::Sub"],
                Yaml::from("${MirrorBucket.Arn}/ranges/*")
            );
            assert_eq!(
                statements[3]["Action"],
                Yaml::Sequence(vec![Yaml::from("s3:ListBucket")])
            );
            assert_eq!(
                statements[3]["Resource"]["Fn::GetAtt"],
                Yaml::Sequence(vec![Yaml::from("MirrorBucket"), Yaml::from("Arn")])
            );
        }
        // The pepper: read at start-up from its secret, and from no other.
        let secret = &statements[1];
        assert_eq!(
            secret["Action"],
            Yaml::Sequence(vec![Yaml::from("secretsmanager:GetSecretValue")]),
            "{resource}"
        );
        assert_eq!(
            secret["Resource"]["Ref"],
            Yaml::from("PepperSecret"),
            "{resource}"
        );
        assert_eq!(statements[0]["Effect"], Yaml::from("Allow"), "{resource}");
    }
    let table = &template["Resources"]["Table"]["Properties"];
    assert_eq!(table["BillingMode"], Yaml::from("PAY_PER_REQUEST"));
    assert_eq!(
        table["TimeToLiveSpecification"]["Enabled"],
        Yaml::from(true)
    );
    assert_eq!(
        table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        Yaml::from(true)
    );
    assert_eq!(table["SSESpecification"]["SSEEnabled"], Yaml::from(true));
}

#[test]
fn evaluate_is_told_where_the_breach_source_is() {
    let template = template();
    let evaluate = &template["Resources"]["EvaluateFunction"]["Properties"];
    assert_eq!(
        evaluate["Environment"]["Variables"]["HIBP_API_URL"]["Ref"],
        Yaml::from("HibpApiUrl")
    );
    assert_eq!(
        template["Parameters"]["HibpApiUrl"]["Default"],
        Yaml::from(passwordapi::Config::default().hibp_api_url)
    );
    // The breach source: the configuration's default and values, to evaluate and mcp.
    let source = &template["Parameters"]["BreachSource"];
    assert_eq!(
        source["Default"],
        Yaml::from(passwordapi::Config::default().breach_source.name())
    );
    let names: Vec<Yaml> = passwordapi::config::BreachMode::ALL
        .iter()
        .map(|(name, _)| Yaml::from(*name))
        .collect();
    assert_eq!(source["AllowedValues"], Yaml::Sequence(names));
    for function in ["EvaluateFunction", "McpFunction"] {
        let variables = &template["Resources"][function]["Properties"]["Environment"]["Variables"];
        assert_eq!(
            variables["BREACH_SOURCE"]["Ref"],
            Yaml::from("BreachSource")
        );
        assert_eq!(
            variables["MIRROR_BUCKET"]["Ref"],
            Yaml::from("MirrorBucket")
        );
    }
}

/// The breach sync: a pass begins on `BreachSyncSchedule` (weekly by default) and one in
/// progress continues every 15 minutes; a run starts no chunk after its budget (at most 780 s)
/// and cuts off one still running at its deadline, a minute before the function's timeout
/// (`breach_sync::a_chunk_still_running_at_the_deadline_is_cut_off_and_redone`); should a run
/// die anyway, its lease outlives the timeout and the next run resumes from its cursor
/// (`breach_sync::a_killed_run_is_resumed_from_its_cursor`).
#[test]
fn the_breach_sync_runs_on_its_schedules_within_its_timeout() {
    use passwordapi::evaluate::sync::Settings;
    let template = template();
    assert_eq!(
        template["Parameters"]["BreachSyncSchedule"]["Default"],
        Yaml::from("rate(7 days)")
    );
    let sync = &template["Resources"]["BreachSyncFunction"]["Properties"];
    let start = &sync["Events"]["Start"];
    assert_eq!(start["Type"], Yaml::from("Schedule"));
    assert_eq!(
        start["Properties"]["Schedule"]["Ref"],
        Yaml::from("BreachSyncSchedule")
    );
    let input: serde_json::Value =
        serde_json::from_str(start["Properties"]["Input"].as_str().unwrap()).unwrap();
    assert_eq!(input, serde_json::json!({"start": true}));
    let carry_on = &sync["Events"]["Continue"]["Properties"];
    assert_eq!(carry_on["Schedule"], Yaml::from("rate(15 minutes)"));
    assert_eq!(carry_on["Input"], Yaml::from("{}"));
    let timeout = std::time::Duration::from_secs(sync["Timeout"].as_u64().unwrap());
    let lambda = Settings::LAMBDA;
    let budget = passwordapi::Config::default().sync_budget;
    assert_eq!(budget, lambda.budget);
    assert!(budget + std::time::Duration::from_secs(180) <= timeout);
    assert!(passwordapi::config::MAX_SYNC_BUDGET < lambda.deadline);
    assert!(lambda.deadline + std::time::Duration::from_secs(60) <= timeout);
    assert!(lambda.lease > timeout);
}

#[test]
fn sample_events_parse_as_api_gateway_http_api_events() {
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("events")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let request = lambda_http::request::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(matches!(
            lambda_http::RequestExt::request_context_ref(&request),
            Some(lambda_http::request::RequestContext::ApiGatewayV2(_))
        ));
        seen += 1;
    }
    assert!(seen >= 2);
}

#[test]
fn the_api_is_throttled_closed_to_other_origins_by_default_and_watched() {
    let template = template();
    let api = &template["Resources"]["HttpApi"]["Properties"];
    let throttling = &api["DefaultRouteSettings"];
    assert_eq!(
        throttling["ThrottlingRateLimit"]["Ref"],
        Yaml::from("ThrottlingRateLimit")
    );
    assert_eq!(
        throttling["ThrottlingBurstLimit"]["Ref"],
        Yaml::from("ThrottlingBurstLimit")
    );
    let cors = &api["CorsConfiguration"];
    // No cross-origin access by default: origins only when the operator names them.
    assert_eq!(
        template["Parameters"]["AllowedOrigins"]["Default"],
        Yaml::from("")
    );
    assert_eq!(
        cors["AllowOrigins"]["Fn::If"][0],
        Yaml::from("HasAllowedOrigins")
    );
    assert_eq!(
        cors["AllowOrigins"]["Fn::If"][1]["Ref"],
        Yaml::from("AllowedOrigins")
    );
    assert_eq!(
        cors["AllowOrigins"]["Fn::If"][2]["Ref"],
        Yaml::from("AWS::NoValue")
    );
    let condition = &template["Conditions"]["HasAllowedOrigins"]["Fn::Not"][0]["Fn::Equals"];
    assert_eq!(
        condition[0]["Fn::Join"][1]["Ref"],
        Yaml::from("AllowedOrigins")
    );
    assert_eq!(condition[1], Yaml::from(""));
    // The one "*" is the bucket policy's: it denies every principal plain HTTP.
    let mut without_bucket_policy = template.clone();
    let bucket_policy = without_bucket_policy["Resources"]
        .as_mapping_mut()
        .unwrap()
        .remove("MirrorBucketPolicy")
        .unwrap();
    let statements = bucket_policy["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    assert!(statements.iter().all(|s| s["Effect"] == "Deny"));
    assert!(
        !serde_norway::to_string(&without_bucket_policy)
            .unwrap()
            .contains("'*'"),
        "no wildcard origin anywhere"
    );
    let listed = |v: &Yaml| -> Vec<String> {
        v.as_sequence()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_lowercase())
            .collect()
    };
    // The credentials and the rate-limit headers a browser needs.
    for header in [
        "authorization",
        "x-api-key",
        "content-type",
        "idempotency-key",
    ] {
        assert!(
            listed(&cors["AllowHeaders"]).contains(&header.to_owned()),
            "{header}"
        );
    }
    for header in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
    ] {
        assert!(
            listed(&cors["ExposeHeaders"]).contains(&header.to_owned()),
            "{header}"
        );
    }
    // The local API grants what the deployed one does (shared/src/http/cors.rs).
    use passwordapi::http::cors;
    let ours = |list: &[&str]| list.iter().map(|h| h.to_lowercase()).collect::<Vec<_>>();
    assert_eq!(listed(&cors["AllowMethods"]), ours(cors::ALLOW_METHODS));
    assert_eq!(listed(&cors["AllowHeaders"]), ours(cors::ALLOW_HEADERS));
    assert_eq!(listed(&cors["ExposeHeaders"]), ours(cors::EXPOSE_HEADERS));
    assert_eq!(cors["MaxAge"].as_u64(), Some(u64::from(cors::MAX_AGE_S)));
    assert_ne!(cors["AllowCredentials"].as_bool(), Some(true));
    assert_eq!(
        template["Globals"]["Function"]["LoggingConfig"]["LogFormat"],
        Yaml::from("JSON")
    );
    let alarms: Vec<&str> = template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .map(|(name, _)| name.as_str().unwrap())
        .collect();
    for alarm in [
        "ServerErrorsAlarm",
        "TableThrottlesAlarm",
        "RequestVolumeAlarm",
    ] {
        assert!(alarms.contains(&alarm), "{alarm}");
    }
    assert!(!template["Outputs"]["ApiUrl"].is_null());
}

#[test]
fn the_pipeline_tests_every_change_and_deploys_main_with_oidc_credentials() {
    let text = std::fs::read_to_string(root().join(".github/workflows/pipeline.yml")).unwrap();
    let workflow: Yaml = serde_norway::from_str(&text).unwrap();
    let test = &workflow["jobs"]["test"];
    let runs: Vec<&str> = test["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(
        runs.contains(&"bash .ci/run"),
        "the pipeline runs the CI entry point"
    );
    let deploy = &workflow["jobs"]["deploy"];
    assert_eq!(deploy["needs"], Yaml::from("test"));
    assert_eq!(deploy["permissions"]["id-token"], Yaml::from("write"));
    let credentials = deploy["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials"))
        })
        .expect("OIDC credentials step");
    assert!(!credentials["with"]["role-to-assume"].is_null());
    assert!(
        credentials["with"]["aws-access-key-id"].is_null(),
        "no long-lived keys"
    );
    assert!(!text.contains("AWS_SECRET_ACCESS_KEY"));
    let deploy_runs: String = deploy["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(deploy_runs.contains("sam build") && deploy_runs.contains("sam deploy"));
    let samconfig: toml::Table = std::fs::read_to_string(root().join("samconfig.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        samconfig["ci"]["deploy"]["parameters"]["confirm_changeset"].as_bool(),
        Some(false)
    );
}

/// The stack limits what any caller can make it cost or see: the key routes throttled far below
/// the API's default, reserved concurrency per function, logs kept a bounded time, and access logs
/// that carry nothing a caller sent.
#[test]
fn routes_functions_and_logs_are_bounded() {
    let template = template();
    let parameters = &template["Parameters"];
    let api = &template["Resources"]["HttpApi"]["Properties"];
    let default_rate = parameters["ThrottlingRateLimit"]["Default"]
        .as_i64()
        .unwrap();
    for (route, rate, burst) in [
        (
            "ANY /v1/keys/register",
            "RegisterThrottlingRateLimit",
            "RegisterThrottlingBurstLimit",
        ),
        (
            "ANY /v1/keys/regenerate",
            "KeysThrottlingRateLimit",
            "KeysThrottlingBurstLimit",
        ),
        (
            "ANY /v1/keys/usage",
            "KeysThrottlingRateLimit",
            "KeysThrottlingBurstLimit",
        ),
    ] {
        let settings = &api["RouteSettings"][route];
        assert_eq!(
            settings["ThrottlingRateLimit"]["Ref"],
            Yaml::from(rate),
            "{route}"
        );
        assert_eq!(
            settings["ThrottlingBurstLimit"]["Ref"],
            Yaml::from(burst),
            "{route}"
        );
        assert!(
            parameters[rate]["Default"].as_i64().unwrap() * 10 <= default_rate,
            "{route}"
        );
    }
    assert_eq!(
        parameters["RegisterThrottlingRateLimit"]["Default"],
        Yaml::from(1)
    );

    let globals = &template["Globals"]["Function"];
    let reserved = &globals["ReservedConcurrentExecutions"]["Fn::If"];
    assert_eq!(reserved[0], Yaml::from("HasReservedConcurrency"));
    assert_eq!(reserved[1]["Ref"], Yaml::from("ReservedConcurrency"));
    assert_eq!(parameters["ReservedConcurrency"]["Default"], Yaml::from(10));

    assert_eq!(
        globals["LoggingConfig"]["LogGroup"]["Ref"],
        Yaml::from("FunctionLogs")
    );
    for group in ["FunctionLogs", "ApiAccessLogs"] {
        assert_eq!(
            template["Resources"][group]["Properties"]["RetentionInDays"]["Ref"],
            Yaml::from("LogRetentionDays"),
            "{group}"
        );
    }
    assert_eq!(parameters["LogRetentionDays"]["Default"], Yaml::from(30));

    let access = &api["AccessLogSettings"];
    assert_eq!(
        access["DestinationArn"]["Fn::GetAtt"][0],
        Yaml::from("ApiAccessLogs")
    );
    let format: serde_json::Value =
        serde_json::from_str(access["Format"].as_str().unwrap()).expect("JSON access logs");
    let allowed = [
        "$context.requestId",
        "$context.requestTimeEpoch",
        "$context.routeKey",
        "$context.status",
        "$context.responseLatency",
        "$context.responseLength",
        "$context.integrationErrorMessage",
    ];
    for (field, value) in format.as_object().unwrap() {
        assert!(
            allowed.contains(&value.as_str().unwrap()),
            "access log field {field}: {value}"
        );
    }
}

#[test]
fn the_mcp_function_refuses_the_origins_the_api_does_not_allow() {
    let template = template();
    let env = &template["Resources"]["McpFunction"]["Properties"]["Environment"]["Variables"];
    // The same list as the API's CORS setting, joined as ALLOWED_ORIGINS reads it.
    assert_eq!(
        env["ALLOWED_ORIGINS"]["Fn::Join"][0],
        Yaml::from(","),
        "{env:?}"
    );
    assert_eq!(
        env["ALLOWED_ORIGINS"]["Fn::Join"][1]["Ref"],
        Yaml::from("AllowedOrigins")
    );
    // The conformance suite's test tools are for its test only: no deployment (nor make dev)
    // serves them.
    for file in ["template.yaml", "samconfig.toml", ".ci/dev", "Makefile"] {
        let text = std::fs::read_to_string(integration_tests::root().join(file)).unwrap();
        assert!(!text.contains("MCP_CONFORMANCE_TOOLS"), "{file}");
    }
    let config = passwordapi::Config::from_lookup(|name| {
        (name == "ALLOWED_ORIGINS").then(|| "https://a.example,https://b.example".to_owned())
    })
    .unwrap();
    assert!(!config.mcp_conformance_tools);
    assert_eq!(
        config.allowed_origins,
        ["https://a.example", "https://b.example"]
    );
}
