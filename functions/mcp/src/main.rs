//! The mcp function: `POST /mcp`, the MCP server (Streamable HTTP, stateless).

use lambda_http::{Error, run, service_fn};
use passwordapi::evaluate::{self, breach::RangeCache, hibp::HibpClient};
use passwordapi::http::{App, mcp::McpServer};
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    passwordapi::http::init_process();
    let app = Arc::new(App::from_env().await?);
    let breaches = RangeCache::new(HibpClient::new(&app.config.hibp_api_url));
    let server = McpServer::new(app, breaches);
    evaluate::warm_up();
    run(service_fn(|request| server.handle(request))).await
}
