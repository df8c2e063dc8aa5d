//! passwordapi: password generation, evaluation, API keys and quotas, shared by every Lambda function.
//!
//! The domain modules know nothing of Lambda; [`http`] turns API Gateway requests into typed
//! requests and domain results into responses, once, for every function. Imports point one way,
//! down this table: a module may use only those its row names (`tests/structure.rs` holds the
//! code to it, and so to having no circle).
//!
//! | module | what it is for | may use |
//! |---|---|---|
//! | [`plan`] | plans, one account's overrides, a caller's limits | — |
//! | [`pepper`] | the server secret, and the keyed hashes of emails and addresses | — |
//! | [`cache`] | a bounded map whose entries expire (ranges, keys, refusals) | — |
//! | [`quota`] | UTC days and months, the clock, address buckets, rate-limit windows | — |
//! | [`net`] | outbound HTTP: one client stack (reqwest, rustls with ring) for every request | — |
//! | [`generate`] | passwords and passphrases: validation, exact counting, uniform sampling | cache |
//! | [`evaluate`] | strength estimate, breach check by k-anonymity, policy verdicts | cache, generate, quota, net |
//! | [`config`] | the environment, read once into typed configuration | plan, pepper, evaluate |
//! | [`keys`] | API keys and regen tokens: format, hashing, the verified-key cache | plan, pepper, cache |
//! | [`aws`] | the AWS SDK set-up (its HTTP client), the pepper from Secrets Manager, the breach source with its mirror's bucket | config, pepper, net, evaluate |
//! | [`store`] | accounts, counters, plans, the audit trail: the `Store` trait, DynamoDB and in-memory stores; the operator's reads; the breach sync's ledger | plan, quota, aws, evaluate |
//! | [`admission`] | who is calling, and whether a metered request may proceed | plan, pepper, cache, config, keys, quota, store |
//! | [`operator`] | what an operator does to accounts and plans: the admin tool's commands | plan, generate, config, keys, quota, store |
//! | [`http`] | requests to typed requests, domain results to responses; the registry and the dispatcher | plan, pepper, cache, generate, evaluate, config, keys, quota, aws, store, admission |
//! | [`schedule`] | the breach sync function: its scheduled runs, their reports and metrics | evaluate, config, quota, aws, store, operator, http |

pub mod admission;
pub mod aws;
pub mod cache;
pub mod config;
pub mod evaluate;
pub mod generate;
pub mod http;
pub mod keys;
pub mod net;
pub mod operator;
pub mod pepper;
pub mod plan;
pub mod quota;
pub mod schedule;
pub mod store;

pub use config::Config;
