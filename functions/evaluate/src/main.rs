//! The evaluate function: the registry's endpoints of `evaluate`, served by the one dispatcher.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    passwordapi::http::dispatch::run("evaluate").await
}
