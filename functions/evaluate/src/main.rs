//! The evaluate function: `POST /v1/evaluate`.

use lambda_http::{Error, run, service_fn, tracing};
use passwordapi::evaluate::{self, breach::RangeCache, hibp::HibpClient};
use passwordapi::http::{App, evaluate as endpoint};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let app = App::from_env().await?;
    let breaches = RangeCache::new(HibpClient::new(&app.config.hibp_api_url)?);
    evaluate::warm_up();
    run(service_fn(|request| {
        endpoint::handle(&app, &breaches, request)
    }))
    .await
}
