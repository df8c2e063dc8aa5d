//! The generate function: `GET|POST /v1/generate`.

use lambda_http::{Error, run, service_fn};
use passwordapi::http::{App, generate};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    passwordapi::http::init_process();
    let app = App::from_env().await?;
    run(service_fn(|request| generate::handle(&app, request))).await
}
