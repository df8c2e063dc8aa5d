//! The MCP tools: what they take (the REST parameters, read by the same [`Params`] and so refused
//! with the same codes), what they give (the REST bodies), and their annotations.
//!
//! Input and output schemas mirror openapi.yaml (`GenerateRequest` without `apiKey`,
//! `EvaluateRequest` plus `hibp`, `Generated`, `Evaluation`, `UsageBody`); tests/contract.rs holds
//! them against it. Bounds and choices come from the domain's own constants.

use super::super::error::{ApiError, ErrorCode};
use super::super::params::Params;
use super::super::{App, Caller, accounts, evaluate, generate};
use crate::evaluate::breach::BreachSource;
use crate::evaluate::model::data::LANGUAGES;
use crate::evaluate::{
    MAX_DICTIONARIES, MAX_PASSWORD_CHARS, MAX_USER_INPUT_CHARS, MAX_USER_INPUTS, Translation,
};
use crate::generate::passphrase::Language;
use crate::generate::{
    LENGTH_RANGE, MAX_SEPARATOR_CHARS, Mode, Preset, Profession, WORDS_RANGE, site_rules, sites,
    username,
};
use crate::quota::RateLimit;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};
use std::sync::Arc;

/// One tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolName {
    /// `generate_password`: `POST /v1/generate`.
    GeneratePassword,
    /// `evaluate_password`: `POST /v1/evaluate`.
    EvaluatePassword,
    /// `get_usage`: `GET /v1/keys/usage`.
    GetUsage,
    /// `check_policy`: `POST /v1/evaluate` with a `policy`.
    CheckPolicy,
}

impl ToolName {
    /// Every tool, in the order `tools/list` gives them.
    pub const ALL: [ToolName; 4] = [
        ToolName::GeneratePassword,
        ToolName::EvaluatePassword,
        ToolName::CheckPolicy,
        ToolName::GetUsage,
    ];

    /// The tool's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ToolName::GeneratePassword => "generate_password",
            ToolName::EvaluatePassword => "evaluate_password",
            ToolName::GetUsage => "get_usage",
            ToolName::CheckPolicy => "check_policy",
        }
    }

    /// The tool called `name`.
    pub fn parse(name: &str) -> Option<ToolName> {
        ToolName::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// Its parameters, as the REST endpoint names them.
    pub fn params(self) -> Vec<&'static str> {
        match self {
            ToolName::GeneratePassword => generate::PARAMS.to_vec(),
            ToolName::EvaluatePassword | ToolName::CheckPolicy => {
                [evaluate::BODY_PARAMS, evaluate::QUERY_PARAMS].concat()
            }
            ToolName::GetUsage => Vec::new(),
        }
    }

    /// The tool as `tools/list` describes it.
    pub fn tool(self) -> Tool {
        let (description, input, output, annotations) = match self {
            ToolName::GeneratePassword => (
                "Generate random passwords, passphrases or usernames, uniform over every string the \
                 options allow, with the exact entropy in bits. Every option is optional: {} \
                 gives one 18-character password from upper- and lower-case letters, digits and \
                 symbols; passwordrules gives passwords a site's published rules accept. Counts \
                 one request on the caller's daily quota.",
                generate_input(),
                generated_output(),
                // Draws new secrets: nothing is changed, but no two calls agree.
                annotations("Generate password", true, false, false),
            ),
            ToolName::EvaluatePassword => (
                "Estimate a password's strength (zxcvbn: score 0-4, guesses, crack times in four \
                 attack scenarios, warning and suggestions) and, unless hibp is false, check it \
                 against HaveIBeenPwned by k-anonymity (only the first 5 hex digits of its SHA-1 \
                 leave this deployment). The password is never stored or logged. Counts one \
                 request on the caller's daily quota.",
                evaluate_input(),
                evaluation_output(),
                annotations("Evaluate password", true, true, true),
            ),
            ToolName::CheckPolicy => (
                "Does a password meet a policy? A verdict against a compliance preset (nist: \
                 NIST SP 800-63B-4 with its blocklist of breached, dictionary, repetitive, \
                 sequential and context words; pci, dod, hipaa, soc2, iso: their length and \
                 classes) or a site's passwordrules, naming each rule broken, beside the \
                 evaluation. Counts one request on the caller's daily quota.",
                {
                    let mut input = evaluate_input();
                    input.insert("required".to_owned(), json!(["password", "policy"]));
                    input
                },
                evaluation_output(),
                annotations("Check password policy", true, true, true),
            ),
            ToolName::GetUsage => (
                "The API key's usage: today's count, the daily limit, what remains, the key's \
                 own hard limit, when the day resets, and the last 30 days. Needs an API key; \
                 counts nothing.",
                object(json!({})),
                usage_output(),
                annotations("API key usage", true, false, true),
            ),
        };
        let mut tool = Tool::new(self.as_str(), description, Arc::new(input));
        tool.output_schema = Some(Arc::new(output));
        tool.annotations = Some(annotations);
        tool
    }

    /// Runs the tool for `caller`: the structured result, its text copy when it is not that JSON
    /// (CSV), and the caller's window when the call was metered. The REST endpoint's own work, so
    /// its errors too.
    pub async fn call(
        self,
        app: &App,
        breaches: &impl BreachSource,
        caller: &Caller,
        arguments: JsonObject,
    ) -> Result<(Value, Option<String>, Option<RateLimit>), ApiError> {
        let params = Params::json(arguments, &self.params())?;
        match self {
            ToolName::GeneratePassword => {
                let (generation, rate) = generate::run(app, caller, &params).await?;
                let value = to_value(&generation.body())?;
                // The text copy is what the REST endpoint would have answered: CSV when asked.
                Ok((value, generation.csv(), Some(rate)))
            }
            ToolName::EvaluatePassword | ToolName::CheckPolicy => {
                if self == ToolName::CheckPolicy && !params.has("policy") {
                    return Err(ApiError::invalid_parameter(
                        "policy",
                        "check_policy needs a policy: a preset or {\"passwordrules\": \"...\"}",
                    ));
                }
                let hibp = params.boolean("hibp")?.unwrap_or(true);
                let (evaluation, rate) =
                    evaluate::run(app, breaches, caller, &params, hibp).await?;
                Ok((to_value(&evaluation.body())?, None, Some(rate)))
            }
            ToolName::GetUsage => {
                let value = to_value(&accounts::usage_report(app, caller, None).await?)?;
                Ok((value, None, None))
            }
        }
    }
}

fn to_value(body: &impl serde::Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(body).map_err(|e| {
        tracing::error!(error = %e, "tool result did not serialise");
        ApiError::internal()
    })
}

fn annotations(
    title: &str,
    read_only: bool,
    open_world: bool,
    idempotent: bool,
) -> ToolAnnotations {
    ToolAnnotations::from_raw(
        Some(title.to_owned()),
        Some(read_only),
        Some(false),
        Some(idempotent),
        Some(open_world),
    )
}

/// A schema written as a `json!` object literal, as a map.
fn schema(literal: Value) -> JsonObject {
    match literal {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// A closed object schema with `properties`.
fn object(properties: Value) -> JsonObject {
    schema(json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    }))
}

fn integer(min: u32, max: Option<u32>, description: &str) -> Value {
    let mut schema = json!({"type": "integer", "minimum": min, "description": description});
    if let Some(max) = max {
        schema["maximum"] = json!(max);
    }
    schema
}

fn boolean(description: &str) -> Value {
    json!({"type": "boolean", "description": description})
}

fn string(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn choice(values: &[&str], description: &str) -> Value {
    json!({"type": "string", "enum": values, "description": description})
}

fn generate_input() -> JsonObject {
    let (min_len, max_len) = (*LENGTH_RANGE.start(), *LENGTH_RANGE.end());
    let (min_words, max_words) = (*WORDS_RANGE.start(), *WORDS_RANGE.end());
    let minimum = |class: &str| {
        integer(
            0,
            None,
            &format!("At least this many {class} (default 1 when the class is on)."),
        )
    };
    object(json!({
        "length": integer(min_len, Some(max_len), "Characters per password (password mode); default 18."),
        "count": integer(1, None, "Passwords to return; default 1, at most the plan's maximum (10 for anonymous and free callers)."),
        "uppercase": boolean("Upper-case letters in the pool; default true."),
        "lowercase": boolean("Lower-case letters in the pool; default true."),
        "numbers": boolean("Digits in the pool; default true."),
        "symbols": boolean("Symbols in the pool; default true."),
        "min_uppercase": minimum("upper-case letters"),
        "min_lowercase": minimum("lower-case letters"),
        "min_numbers": minimum("digits"),
        "min_symbols": minimum("symbols"),
        "exclude": string("Characters removed from the pool."),
        "avoid_ambiguous": boolean("Drop the look-alikes I l 1 | O 0 o ` ' \"; default false."),
        "symbol_set": string("The symbols class (visible characters, no letters or digits); default the 32 ASCII symbols."),
        "min_entropy": {"type": "number", "description": "Raise length (or words) until the exact entropy reaches this many bits."},
        "compliance": choice(&Preset::ALL.map(Preset::name), "Apply a compliance preset's length and classes."),
        "quantum": boolean("Post-quantum margin: at least 256 bits of entropy; default false."),
        "mode": choice(&Mode::NAMES, "password (default), passphrase (EFF words, or those of language) or username (an EFF word, then username_digits digits)."),
        "words": integer(min_words, Some(max_words), "Passphrase words; default 6."),
        "separator": {"type": "string", "maxLength": MAX_SEPARATOR_CHARS, "description": "Passphrase separator; default \"-\"; empty only with capitalize."},
        "capitalize": boolean("Capitalize each passphrase word, or the username's word; default false."),
        "include_number": boolean("Append one digit to one random passphrase word; default false."),
        "profession": choice(&Profession::ALL.map(Profession::name), "A themed vocabulary."),
        "format": choice(&["json", "csv", "csv_spreadsheet"], "json (default); csv or csv_spreadsheet make the text copy of the result an RFC 4180 CSV document."),
        "site": site(),
        "language": choice(&Language::ALL.map(Language::code), "The passphrase's word list: en (the EFF large wordlist, the default), de, fr, es, it, pt (diceware's lists) or nl (common Dutch words); passphrase mode only, not with profession."),
        "username_digits": integer(*username::DIGITS_RANGE.start(), Some(*username::DIGITS_RANGE.end()), "Digits after the username's word (username mode); default 0."),
        "passwordrules": {"type": "string", "minLength": 1, "maxLength": site_rules::MAX_RULES_CHARS, "description": "A site's rules in Apple's passwordrules format, e.g. \"minlength: 12; required: upper; required: digit; max-consecutive: 2\": the passwords are uniform over every string of the length that the rules allow (length defaults to 18 within minlength/maxlength; exclude and avoid_ambiguous still apply). max-repeating and max-sequential limit runs of identical characters and of steps by one through a-z, A-Z or 0-9 (max-consecutive means both); under a limit on sequences the length is at most 32."},
    }))
}

/// A known site's domain, as generate's `site` and evaluate's `{"site": …}` policy take it.
fn site() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": sites::MAX_SITE_CHARS, "description": "A known site's domain, e.g. apple.com (case and a trailing dot do not matter)."})
}

fn evaluate_input() -> JsonObject {
    let mut schema = object(json!({
        "password": {"type": "string", "minLength": 1, "maxLength": MAX_PASSWORD_CHARS, "description": "The password to evaluate (never stored or logged)."},
        "user_inputs": {
            "type": "array",
            "maxItems": MAX_USER_INPUTS,
            "items": {"type": "string", "maxLength": MAX_USER_INPUT_CHARS},
            "description": "Words the password should not lean on: the user's name, email, the site's name.",
        },
        "dictionaries": {
            "type": "array",
            "maxItems": MAX_DICTIONARIES,
            "items": {"type": "string", "enum": LANGUAGES},
            "description": "Language packs to match words from, beside the common and English lists (always on).",
        },
        "locale": choice(&Translation::codes(), "The language of the warning, the suggestions and the crack times; default zxcvbn's English."),
        "hibp": boolean("Check HaveIBeenPwned by k-anonymity; default true. A password found n times needs at most the guesses Zipf's law gives its count."),
        "policy": {
            "description": "A verdict against a compliance preset, a site's rules in Apple's passwordrules format, e.g. {\"passwordrules\": \"minlength: 12; required: upper; required: digit; max-consecutive: 2\"}, or a known site's rules, e.g. {\"site\": \"apple.com\"}.",
            "oneOf": [
                {"enum": Preset::ALL.map(Preset::name)},
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["passwordrules"],
                    "properties": {"passwordrules": {"type": "string", "minLength": 1, "maxLength": site_rules::MAX_RULES_CHARS}},
                },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["site"],
                    "properties": {"site": site()},
                },
            ],
        },
        "mfa": boolean("nist: the password is one of two factors (8 characters instead of 15). Only with policy."),
    }));
    schema.insert("required".to_owned(), json!(["password"]));
    schema
}

/// A tool's output schema: the result (open: `additionalProperties` unset, so a client validating
/// against it keeps working when the API adds a field), or the REST error body of a refused call.
/// Clients validate `structuredContent` against it even when `isError` is set (the TypeScript SDK
/// does), so the error body must be admitted too.
fn output(required: &[&str], properties: Value) -> JsonObject {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    schema(json!({
        "type": "object",
        "anyOf": [
            {"type": "object", "required": required, "properties": properties},
            {
                "type": "object",
                "description": "A refused call (isError: true): the REST API's error body.",
                "required": ["error", "message"],
                "properties": {
                    "error": {"enum": codes},
                    "message": {"type": "string"},
                    "param": {"type": "string"},
                    "limit": {"type": "integer", "minimum": 0},
                    "reset_at": {"type": "integer", "description": "Unix milliseconds when the quota resets."},
                },
            },
        ],
    }))
}

fn generated_output() -> JsonObject {
    output(
        &[
            "password",
            "passwords",
            "count",
            "mode",
            "charset_size",
            "entropy_bits",
            "entropy",
            "strength",
            "compliance",
            "quantum",
            "tier",
            "generated",
            "audit",
        ],
        json!({
            "password": {"type": "string"},
            "passwords": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "count": {"type": "integer", "minimum": 1},
            "length": {"type": ["integer", "null"]},
            "words": {"type": ["integer", "null"]},
            "mode": {"enum": Mode::NAMES},
            "charset_size": {"type": "integer", "minimum": 0},
            "entropy_bits": {"type": "number", "minimum": 0, "description": "Exact log2 of the number of strings the request could have produced, truncated to 2 decimals."},
            "entropy": {"type": "integer", "minimum": 0},
            "strength": {"enum": ["very_weak", "weak", "fair", "strong", "very_strong"]},
            "compliance": {"type": ["string", "null"]},
            "quantum": {"type": "boolean"},
            "tier": {"type": "string", "description": "The caller's plan (anonymous, free, team, or one the operator added)."},
            "generated": {"type": "string", "format": "date-time"},
            "audit": {
                "type": "object",
                "required": ["entropy_source", "character_pool", "policy", "client_side", "server_contact"],
                "properties": {
                    "entropy_source": {"type": "string"},
                    "character_pool": {"type": "string"},
                    "policy": {"type": ["string", "null"]},
                    "client_side": {"type": "boolean"},
                    "server_contact": {"type": "boolean"},
                },
            },
        }),
    )
}

fn evaluation_output() -> JsonObject {
    let scenarios = |values: Value| {
        json!({
            "type": "object",
            "required": ["online_throttled", "online_unthrottled", "offline_slow_hash", "offline_fast_hash"],
            "additionalProperties": values,
        })
    };
    output(
        &[
            "score",
            "strength",
            "entropy_bits",
            "guesses",
            "crack_times",
            "crack_times_seconds",
            "breached",
            "breach_count",
            "breach_check",
            "breach_source",
            "breach_data_as_of",
            "warning",
            "suggestions",
        ],
        json!({
            "score": {"type": "integer", "minimum": 0, "maximum": 4},
            "strength": {"enum": ["Very Weak", "Weak", "Fair", "Strong", "Very Strong"]},
            "entropy_bits": {"type": "number", "minimum": 0},
            "guesses": {"type": "number", "minimum": 1},
            "crack_times": scenarios(json!({"type": "string"})),
            "crack_times_seconds": scenarios(json!({"type": "number", "minimum": 0})),
            "breached": {"type": ["boolean", "null"]},
            "breach_count": {"type": ["integer", "null"], "minimum": 0},
            "breach_check": {"enum": ["ok", "unavailable", "skipped"]},
            "breach_source": {"enum": ["upstream", "mirror", null], "description": "Where the range came from: the range API, or the deployment's mirror of it; null unless checked."},
            "breach_data_as_of": {"type": ["string", "null"], "format": "date-time", "description": "When that range was fetched from the range API (RFC 3339, UTC); null unless checked."},
            "warning": {"type": ["string", "null"]},
            "suggestions": {"type": ["array", "null"], "items": {"type": "string"}, "minItems": 1},
            "policy": {
                "type": "object",
                "description": "The verdict, when a policy was asked for.",
                "required": ["name", "compliant", "violations", "unchecked", "source"],
                "properties": {
                    "name": {"type": "string"},
                    "compliant": {"type": ["boolean", "null"], "description": "null: no rule broken, but one could not be checked (the breach check)."},
                    "violations": {"type": "array", "items": {"type": "object", "required": ["rule", "message"]}},
                    "unchecked": {"type": "array", "items": {"type": "object", "required": ["rule", "message"]}},
                    "source": {"type": "string"},
                },
            },
        }),
    )
}

fn usage_output() -> JsonObject {
    output(
        &[
            "plan",
            "tier",
            "usage",
            "limit",
            "remaining",
            "hard_limit",
            "reset_at",
            "month",
            "expires_at",
            "history",
        ],
        json!({
            "plan": {"type": "string", "description": "The key's plan."},
            "tier": {"type": "string", "description": "The key's plan (its earlier name)."},
            "usage": {"type": "integer", "minimum": 0},
            "limit": {"type": "integer", "minimum": 0},
            "remaining": {"type": "integer", "minimum": 0},
            "hard_limit": {"type": ["integer", "null"], "minimum": 0},
            "reset_at": {"type": "integer", "description": "Unix milliseconds when the UTC day ends."},
            "month": {
                "type": "object",
                "required": ["month", "usage", "limit", "remaining", "reset_at"],
                "properties": {
                    "month": {"type": "string", "description": "The calendar month, UTC (YYYY-MM)."},
                    "usage": {"type": "integer", "minimum": 0},
                    "limit": {"type": ["integer", "null"], "minimum": 0, "description": "null: no monthly limit."},
                    "remaining": {"type": ["integer", "null"], "minimum": 0},
                    "reset_at": {"type": "integer", "description": "Unix milliseconds of the first of next month, UTC."},
                },
            },
            "expires_at": {"type": ["integer", "null"], "description": "Unix milliseconds when the key expires, as the operator set it."},
            "history": {
                "type": "array",
                "maxItems": accounts::HISTORY_DAYS,
                "items": {
                    "type": "object",
                    "required": ["day", "usage"],
                    "properties": {
                        "day": {"type": "string", "format": "date"},
                        "usage": {"type": "integer", "minimum": 1},
                    },
                },
            },
        }),
    )
}
