//! The MCP conformance suite's own test tools (`test_simple_text`, `test_image_content`, …),
//! served beside the password tools only when `MCP_CONFORMANCE_TOOLS=1`: the suite's `tools/call`
//! scenarios call tools by these fixed names, and this way they run through this server's
//! transport, its `tools/list` and its `tools/call` handling. They answer fixed content, do no
//! work and count nothing; no deployment sets the variable (a test holds the template to that).

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, ResourceContents, Tool};
use serde_json::json;
use std::sync::Arc;

/// A 1×1 red PNG, as the suite suggests.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A WAV file with a header and no samples.
const WAV: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";

/// The suite's tools this server can answer: the ones that need no session, no notification and
/// no request to the client.
pub const NAMES: [&str; 6] = [
    "test_simple_text",
    "test_image_content",
    "test_audio_content",
    "test_embedded_resource",
    "test_multiple_content_types",
    "test_error_handling",
];

/// The test tools as `tools/list` describes them.
pub fn tools() -> Vec<Tool> {
    let no_arguments: JsonObject = match json!({"type": "object", "properties": {}}) {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("an object literal"),
    };
    let schema = Arc::new(no_arguments);
    NAMES
        .iter()
        .map(|name| {
            Tool::new(
                *name,
                "A tool of the MCP conformance suite (tests only).",
                Arc::clone(&schema),
            )
        })
        .collect()
}

/// The fixed answer of the test tool `name`, or `None` for any other name.
pub fn call(name: &str) -> Option<CallToolResult> {
    let resource = |uri: &str, mime: &str, text: &str| {
        ContentBlock::resource(ResourceContents::TextResourceContents {
            uri: uri.to_owned(),
            mime_type: Some(mime.to_owned()),
            text: text.to_owned(),
            meta: None,
        })
    };
    let result = match name {
        "test_simple_text" => CallToolResult::success(vec![ContentBlock::text(
            "This is a simple text response for testing.",
        )]),
        "test_image_content" => {
            CallToolResult::success(vec![ContentBlock::image(PNG, "image/png")])
        }
        "test_audio_content" => {
            CallToolResult::success(vec![ContentBlock::audio(WAV, "audio/wav")])
        }
        "test_embedded_resource" => CallToolResult::success(vec![resource(
            "test://embedded-resource",
            "text/plain",
            "This is an embedded resource content.",
        )]),
        "test_multiple_content_types" => CallToolResult::success(vec![
            ContentBlock::text("Multiple content types test:"),
            ContentBlock::image(PNG, "image/png"),
            resource(
                "test://mixed-content-resource",
                "application/json",
                r#"{"test":"data","value":123}"#,
            ),
        ]),
        "test_error_handling" => CallToolResult::error(vec![ContentBlock::text(
            "This tool intentionally returns an error for testing",
        )]),
        _ => return None,
    };
    Some(result)
}
