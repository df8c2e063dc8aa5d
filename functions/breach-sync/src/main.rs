//! The breach sync function: on its schedules, a slice of a pass over every range into the
//! mirror (`passwordapi::schedule`).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    passwordapi::schedule::main().await
}
