//! Outbound HTTP: one stack for every request a function makes (the AWS SDK's, through
//! [`crate::aws`], and the breach check's): reqwest over HTTP/1.1 and rustls with the `ring`
//! provider, so each binary links one HTTP client and one TLS library.

use std::sync::Once;

/// Makes `ring` the process's TLS provider (once; the first caller wins, later calls do
/// nothing). Every client below calls it; anything else building a reqwest client in the
/// process calls it first.
pub fn install_tls() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err only if a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A reqwest client builder on that stack, following no redirects.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_tls();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none())
}
