//! The console function: `GET /`, `/index.html` (the page) and `/openapi.yaml` (the contract).

use lambda_http::{Error, run, service_fn};
use passwordapi::http::console;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    passwordapi::http::init_process();
    run(service_fn(console::handle)).await
}
