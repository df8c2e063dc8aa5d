//! The mcp function: the registry's endpoints of `mcp`, served by the one dispatcher.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    passwordapi::http::dispatch::run("mcp").await
}
