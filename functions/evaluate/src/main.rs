//! The evaluate function: `POST /v1/evaluate`.

use lambda_http::{Error, run, service_fn};
use passwordapi::evaluate::{self, breach::RangeCache, hibp::HibpClient};
use passwordapi::http::{App, evaluate as endpoint};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    passwordapi::http::init_process();
    let app = App::from_env().await?;
    let breaches = RangeCache::new(HibpClient::new(&app.config.hibp_api_url));
    evaluate::warm_up();
    run(service_fn(|request| {
        endpoint::handle(&app, &breaches, request)
    }))
    .await
}
