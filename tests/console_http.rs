//! The console and the OpenAPI document through the real event path: the page is self-contained
//! (nothing from another origin), its Content-Security-Policy allows exactly its own inline style
//! and script, and its reference lists every endpoint and error code of the code.

use base64::Engine;
use integration_tests::{Event, body_text, header, memory_app, serve};
use passwordapi::Config;
use passwordapi::evaluate::breach::RangeCache;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::http::error::ErrorCode;
use passwordapi::http::registry;
use sha2::{Digest, Sha256};

async fn get(path: &str) -> lambda_http::http::Response<lambda_http::Body> {
    let app = memory_app(Config::default());
    let breaches = RangeCache::new(HibpClient::new("http://127.0.0.1:9"));
    let response = serve(&app, &breaches, Event::new("GET", path).request()).await;
    assert_eq!(header(&response, "cache-control"), Some("no-store"));
    response
}

/// Every `open … close` block of `html`.
fn blocks<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    html.split(open)
        .skip(1)
        .map(|rest| rest.split(close).next().unwrap())
        .collect()
}

fn sha256(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[tokio::test]
async fn the_page_is_self_contained_and_its_policy_allows_only_its_own_code() {
    for path in ["/", "/index.html"] {
        let response = get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(header(&response, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(&response, "referrer-policy"), Some("no-referrer"));
        let html = body_text(&response);
        let csp = header(&response, "content-security-policy").unwrap();
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        for required in [
            "default-src 'none'",
            "connect-src 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'none'",
        ] {
            assert!(directives.contains(&required), "{required} in {csp}");
        }
        assert!(!csp.contains("unsafe"), "{csp}");
        // One inline style and one script, each allowed by its hash; no other code.
        let styles = blocks(&html, "<style>", "</style>");
        let scripts = blocks(&html, "<script>", "</script>");
        assert_eq!((styles.len(), scripts.len()), (1, 1));
        assert!(directives.contains(&format!("style-src {}", sha256(styles[0])).as_str()));
        assert!(directives.contains(&format!("script-src {}", sha256(scripts[0])).as_str()));
        // No inline style or event-handler attributes (` onclick=`…): the hashes would not cover them.
        let handler = html.split(" on").skip(1).any(|rest| {
            let name = rest.trim_start_matches(|c: char| c.is_ascii_lowercase());
            name.len() < rest.len() && name.starts_with('=')
        });
        assert!(!html.contains(" style=") && !handler, "inline attributes");
        // Nothing from another origin: the one absolute URL is SVG's namespace, never fetched.
        let absolute: Vec<&str> = html
            .match_indices("http")
            .map(|(i, _)| &html[i..(i + 30).min(html.len())])
            .filter(|s| s.starts_with("http://") || s.starts_with("https://"))
            .collect();
        assert!(
            absolute
                .iter()
                .all(|s| s.starts_with("http://www.w3.org/2000/svg")),
            "{absolute:?}"
        );
        // No asset at all, and an empty icon so that the browser asks for no /favicon.ico.
        assert!(!html.contains("src="), "external assets");
        let links = blocks(&html, "<link", ">");
        assert_eq!(links, [r#" rel="icon" href="data:,""#]);
    }
}

#[tokio::test]
async fn the_reference_lists_every_endpoint_and_error_code() {
    let html = body_text(&get("/").await);
    let data = blocks(
        &html,
        "<script type=\"application/json\" id=\"registry\">",
        "</script>",
    );
    let data: serde_json::Value = serde_json::from_str(data[0]).unwrap();
    let paths: Vec<&str> = data["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = registry::ENDPOINTS.iter().map(|e| e.route.path).collect();
    assert_eq!(paths, expected);
    let codes: Vec<&str> = data["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, expected);
    // And the page has a curl example for every one of them.
    let script = blocks(&html, "<script>", "</script>")[0];
    let examples = blocks(script, "const examples = {", "};")[0];
    for endpoint in &registry::ENDPOINTS {
        let key = format!("\n  \"{}\":", endpoint.route.path);
        assert!(
            examples.contains(&key),
            "no curl for {}",
            endpoint.route.path
        );
    }
}

#[tokio::test]
async fn the_contract_is_served_as_the_repository_holds_it() {
    let response = get("/openapi.yaml").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type"),
        Some("application/yaml; charset=utf-8")
    );
    let file = std::fs::read_to_string(integration_tests::root().join("openapi.yaml")).unwrap();
    assert_eq!(body_text(&response), file);
    // Only GET; no parameters.
    let app = memory_app(Config::default());
    let breaches = RangeCache::new(HibpClient::new("http://127.0.0.1:9"));
    let post = serve(&app, &breaches, Event::post("/", "{}").request()).await;
    assert_eq!(post.status(), 405);
    assert_eq!(header(&post, "allow"), Some("GET, OPTIONS"));
    let query = serve(
        &app,
        &breaches,
        Event::new("GET", "/").query("x=1").request(),
    )
    .await;
    assert_eq!(query.status(), 400);
}

/// The `value`s of the options between `open` and `close` in `page`, in order.
fn options<'a>(page: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let picker = page
        .split(open)
        .nth(1)
        .and_then(|rest| rest.split(close).next())
        .unwrap_or_else(|| panic!("no {open} in the page"));
    picker
        .split("value=\"")
        .skip(1)
        .map(|v| v.split('"').next().unwrap())
        .collect()
}

/// The picker opened by `open` offers English ("", the default) first, then each of `others`
/// once.
fn assert_english_then(open: &str, others: impl Iterator<Item = &'static str>) {
    let page = include_str!("../shared/src/http/console.html");
    let mut expected = vec![""];
    expected.extend(others);
    assert_eq!(options(page, open, "</select>"), expected, "{open}");
}

#[test]
fn the_language_picker_offers_every_shipped_language() {
    let languages = passwordapi::evaluate::model::data::LANGUAGES.iter();
    assert_english_then(
        "<select id=\"evaluate-language\">",
        languages.copied().filter(|l| *l != "en"),
    );
}

/// The passphrase's language picker offers every word list.
#[test]
fn the_passphrase_language_picker_offers_every_word_list() {
    let lists = passwordapi::generate::passphrase::Language::ALL.into_iter();
    assert_english_then(
        "<select name=\"language\">",
        lists.skip(1).map(|l| l.code()),
    );
}

/// The generate section's site picker offers every known site, each once: the list's own
/// domains and those that reach one through the shared credentials.
#[test]
fn the_site_picker_offers_every_known_site() {
    let html = &passwordapi::http::console::console().html;
    let offered = options(html, "<datalist id=\"sites\">", "</datalist>");
    let sites = passwordapi::generate::sites::domains()
        .chain(passwordapi::generate::sites::shared_domains());
    let expected: Vec<&str> = sites.collect();
    assert_eq!(offered, expected);
    assert!(offered.contains(&"apple.com"));
    assert!(html.contains("name=\"site\" list=\"sites\""));
}
