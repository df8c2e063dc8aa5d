//! passwordapi: password generation, evaluation, API keys and quotas, shared by every Lambda function.
//!
//! The domain modules know nothing of Lambda; [`http`] turns API Gateway requests into typed
//! requests and domain results into responses, once, for every function. Imports point one way,
//! down this table: a module may use only those its row names (`tests/structure.rs` holds the
//! code to it, and so to having no circle).
//!
//! | module | what it is for | may use |
//! |---|---|---|
//! | [`tier`] | the tiers, and one tier's limits | — |
//! | [`pepper`] | the server secret, and the keyed hashes of emails and addresses | — |
//! | [`cache`] | a bounded map whose entries expire (ranges, keys, refusals) | — |
//! | [`generate`] | passwords and passphrases: validation, exact counting, uniform sampling | cache |
//! | [`evaluate`] | strength estimate, breach check by k-anonymity, policy verdicts | cache, generate |
//! | [`config`] | the environment, read once into typed configuration | tier, pepper, evaluate |
//! | [`keys`] | API keys and regen tokens: format, hashing, the verified-key cache | tier, pepper, cache |
//! | [`quota`] | UTC days, the clock, address buckets, rate-limit windows | tier |
//! | [`aws`] | the AWS SDK set-up, the pepper from Secrets Manager | config, pepper |
//! | [`store`] | accounts and counters: the `Store` trait, DynamoDB and in-memory stores | tier, quota, aws |
//! | [`admission`] | who is calling, and whether a metered request may proceed | tier, pepper, cache, config, keys, quota, store |
//! | [`http`] | requests to typed requests, domain results to responses; the registry and the dispatcher | tier, pepper, cache, generate, evaluate, config, keys, quota, aws, store, admission |

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
