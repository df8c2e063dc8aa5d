//! The generate function: `GET|POST /v1/generate`.

use lambda_http::{Error, run, service_fn, tracing};
use passwordapi::http::{App, generate};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let app = App::from_env().await?;
    run(service_fn(|request| generate::handle(&app, request))).await
}
