//! passwordapi: password generation, evaluation, API keys and quotas, shared by every Lambda function.
//!
//! The domain modules ([`generate`], [`evaluate`]) know nothing of Lambda; [`http`] turns API Gateway requests into
//! typed requests and domain results into responses, once, for every function.

pub mod admission;
pub mod aws;
pub mod cache;
pub mod config;
pub mod evaluate;
pub mod generate;
pub mod http;
pub mod keys;
pub mod pepper;
pub mod quota;
pub mod store;
pub mod tier;

pub use config::Config;
