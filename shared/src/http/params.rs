//! Strictly typed request parameters, from a JSON object or a query string, behind one interface.
//!
//! JSON values must have the declared type (a number sent as a string is an error); query values are
//! parsed from text with the same rules. Unknown names and repeated query names are rejected.

use super::error::ApiError;
use serde_json::{Map, Value};

/// Parameters of one request.
pub enum Params {
    /// From a JSON body.
    Json(Map<String, Value>),
    /// From a query string (each name at most once).
    Query(Vec<(String, String)>),
}

impl std::fmt::Debug for Params {
    // Values are passwords, keys, emails and rules: only the names show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = match self {
            Params::Json(map) => map.keys().map(String::as_str).collect(),
            Params::Query(pairs) => pairs.iter().map(|(n, _)| n.as_str()).collect(),
        };
        let form = match self {
            Params::Json(_) => "Json",
            Params::Query(_) => "Query",
        };
        f.debug_tuple(form).field(&names).finish()
    }
}

impl Params {
    /// Wraps a JSON object, rejecting names not in `known`.
    pub fn json(map: Map<String, Value>, known: &[&str]) -> Result<Params, ApiError> {
        if let Some(name) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(ApiError::unknown_parameter(name));
        }
        Ok(Params::Json(map))
    }

    /// Wraps query pairs, rejecting names not in `known` and names sent twice.
    pub fn query(pairs: Vec<(String, String)>, known: &[&str]) -> Result<Params, ApiError> {
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !known.contains(&name.as_str()) {
                return Err(ApiError::unknown_parameter(name));
            }
            if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(ApiError::invalid_parameter(
                    name,
                    format!("{name} is sent more than once"),
                ));
            }
        }
        Ok(Params::Query(pairs))
    }

    fn raw(&self, name: &str) -> Option<Raw<'_>> {
        match self {
            Params::Json(map) => match map.get(name) {
                None | Some(Value::Null) => None,
                Some(value) => Some(Raw::Json(value)),
            },
            Params::Query(pairs) => pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| Raw::Text(v)),
        }
    }

    /// A non-negative whole number.
    pub fn whole(&self, name: &str) -> Result<Option<u32>, ApiError> {
        let bad = || {
            ApiError::invalid_parameter(
                name,
                format!("{name} must be a whole number from 0 to {}", u32::MAX),
            )
        };
        match self.raw(name) {
            None => Ok(None),
            Some(Raw::Json(Value::Number(n))) => n
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .map(Some)
                .ok_or_else(bad),
            Some(Raw::Text(text))
                if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) =>
            {
                text.parse().map(Some).map_err(|_| bad())
            }
            Some(other) => Err(type_error(name, "a whole number", &other)),
        }
    }

    /// A finite number.
    pub fn number(&self, name: &str) -> Result<Option<f64>, ApiError> {
        let bad = || ApiError::invalid_parameter(name, format!("{name} must be a finite number"));
        match self.raw(name) {
            None => Ok(None),
            Some(Raw::Json(Value::Number(n))) => n
                .as_f64()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(bad),
            Some(Raw::Text(text)) => match text.parse::<f64>() {
                Ok(v) if v.is_finite() && !text.starts_with('+') => Ok(Some(v)),
                _ => Err(bad()),
            },
            Some(other) => Err(type_error(name, "a number", &other)),
        }
    }

    /// `true` or `false`.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Raw::Json(Value::Bool(b))) => Ok(Some(*b)),
            Some(Raw::Text("true")) => Ok(Some(true)),
            Some(Raw::Text("false")) => Ok(Some(false)),
            Some(other) => Err(type_error(name, "true or false", &other)),
        }
    }

    /// A string.
    pub fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Raw::Json(Value::String(s))) => Ok(Some(s.clone())),
            Some(Raw::Text(s)) => Ok(Some(s.to_string())),
            Some(other) => Err(type_error(name, "a string", &other)),
        }
    }

    /// A JSON array of at most `max_items` strings of at most `max_chars` characters each.
    pub fn strings(
        &self,
        name: &str,
        max_items: usize,
        max_chars: usize,
    ) -> Result<Option<Vec<String>>, ApiError> {
        let items = match self.raw(name) {
            None => return Ok(None),
            Some(Raw::Json(Value::Array(items))) => items,
            Some(other) => return Err(type_error(name, "an array of strings", &other)),
        };
        if items.len() > max_items {
            return Err(ApiError::invalid_parameter(
                name,
                format!("{name} has more than {max_items} entries"),
            ));
        }
        items
            .iter()
            .map(|item| match item {
                Value::String(s) if s.chars().count() <= max_chars => Ok(s.clone()),
                Value::String(_) => Err(ApiError::invalid_parameter(
                    name,
                    format!("{name} entries are at most {max_chars} characters"),
                )),
                _ => Err(ApiError::invalid_parameter(
                    name,
                    format!("{name} must be an array of strings"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A JSON object (body parameters only).
    pub fn object(&self, name: &str) -> Result<Option<&Map<String, Value>>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Raw::Json(Value::Object(map))) => Ok(Some(map)),
            Some(other) => Err(type_error(name, "an object", &other)),
        }
    }

    /// Whether the parameter was sent (and not null).
    pub fn has(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// Whether the parameter was sent as a JSON string.
    pub fn is_string(&self, name: &str) -> bool {
        matches!(
            self.raw(name),
            Some(Raw::Json(Value::String(_)) | Raw::Text(_))
        )
    }

    /// One of `choices`, mapped by `parse`.
    pub fn choice<T>(
        &self,
        name: &str,
        choices: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        match self.string(name)? {
            None => Ok(None),
            Some(value) => parse(&value).map(Some).ok_or_else(|| {
                ApiError::invalid_parameter(
                    name,
                    format!("{name} must be one of: {}", choices.join(", ")),
                )
            }),
        }
    }
}

enum Raw<'a> {
    Json(&'a Value),
    Text(&'a str),
}

fn type_error(name: &str, expected: &str, got: &Raw<'_>) -> ApiError {
    let got = match got {
        Raw::Json(Value::String(_)) => "a string",
        Raw::Json(Value::Number(_)) => "a number",
        Raw::Json(Value::Bool(_)) => "a boolean",
        Raw::Json(Value::Array(_)) => "an array",
        Raw::Json(Value::Object(_)) => "an object",
        Raw::Json(Value::Null) => "null",
        Raw::Text(_) => "text that does not parse",
    };
    ApiError::invalid_parameter(name, format!("{name} must be {expected}, got {got}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::error::ErrorCode;
    use serde_json::json;

    fn json_params(value: Value) -> Params {
        let Value::Object(map) = value else { panic!() };
        Params::json(map, &["n", "b", "s", "f"]).unwrap()
    }

    #[test]
    fn json_types_are_strict() {
        let p = json_params(json!({"n": 18, "b": true, "s": "x", "f": 1.5}));
        assert_eq!(p.whole("n").unwrap(), Some(18));
        assert_eq!(p.boolean("b").unwrap(), Some(true));
        assert_eq!(p.string("s").unwrap().as_deref(), Some("x"));
        assert_eq!(p.number("f").unwrap(), Some(1.5));

        let p = json_params(json!({"n": "18", "b": "true", "s": 5, "f": "1"}));
        for (name, err) in [
            ("n", p.whole("n").unwrap_err()),
            ("b", p.boolean("b").unwrap_err()),
            ("s", p.string("s").unwrap_err()),
            ("f", p.number("f").unwrap_err()),
        ] {
            assert_eq!(
                (err.code, err.param.as_deref()),
                (ErrorCode::InvalidParameter, Some(name))
            );
        }
        for bad in [json!(-1), json!(18.5), json!(1e30), json!(4294967296u64)] {
            assert!(
                json_params(json!({ "n": bad })).whole("n").is_err(),
                "{bad}"
            );
        }
        assert_eq!(json_params(json!({"n": null})).whole("n").unwrap(), None);
    }

    #[test]
    fn unknown_and_repeated_names_are_rejected() {
        let Value::Object(map) = json!({"lenght": 5}) else {
            panic!()
        };
        let err = Params::json(map, &["length"]).unwrap_err();
        assert_eq!(
            (err.code, err.param.as_deref()),
            (ErrorCode::UnknownParameter, Some("lenght"))
        );
        let pairs = vec![
            ("length".to_string(), "5".to_string()),
            ("length".to_string(), "6".to_string()),
        ];
        assert_eq!(
            Params::query(pairs, &["length"]).unwrap_err().code,
            ErrorCode::InvalidParameter
        );
    }

    #[test]
    fn query_text_is_parsed_with_the_same_rules() {
        let pairs: Vec<(String, String)> = [("n", "12"), ("b", "false"), ("f", "60.5")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let p = Params::query(pairs, &["n", "b", "f"]).unwrap();
        assert_eq!(p.whole("n").unwrap(), Some(12));
        assert_eq!(p.boolean("b").unwrap(), Some(false));
        assert_eq!(p.number("f").unwrap(), Some(60.5));
        for (name, text) in [
            ("n", "-1"),
            ("n", "1.0"),
            ("n", ""),
            ("b", "1"),
            ("b", "TRUE"),
            ("f", "NaN"),
            ("f", "inf"),
        ] {
            let p = Params::query(vec![(name.to_string(), text.to_string())], &[name]).unwrap();
            let err = match name {
                "n" => p.whole(name).unwrap_err(),
                "b" => p.boolean(name).unwrap_err(),
                _ => p.number(name).unwrap_err(),
            };
            assert_eq!(err.param.as_deref(), Some(name), "{text}");
        }
    }
}
