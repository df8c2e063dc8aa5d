//! The register function: `POST /v1/keys/register`.

use lambda_http::{Error, run, service_fn};
use passwordapi::http::{App, accounts};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    passwordapi::http::init_process();
    let app = App::from_env().await?;
    run(service_fn(|request| accounts::register(&app, request))).await
}
