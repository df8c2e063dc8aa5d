//! The generate function: the registry's endpoints of `generate`, served by the one dispatcher.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    passwordapi::http::dispatch::run("generate").await
}
