//! API key and regeneration token formats.

/// Prefix of every API key.
pub const KEY_PREFIX: &str = "pwa_live_";
/// Prefix of every regeneration token.
pub const REGEN_PREFIX: &str = "pwa_regen_";
/// Longest token accepted, in bytes.
const MAX_TOKEN_BYTES: usize = 128;

/// Whether `token` has the shape of an API key: the `pwa_live_` prefix and an alphanumeric body.
pub fn is_well_formed_key(token: &str) -> bool {
    token.len() <= MAX_TOKEN_BYTES
        && token
            .strip_prefix(KEY_PREFIX)
            .is_some_and(|body| !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shape() {
        assert!(is_well_formed_key("pwa_live_abc123XYZ"));
        for bad in [
            "",
            "pwa_live_",
            "pwa_test_abc",
            "pwa_live_ab c",
            "pwa_live_é",
            "abc",
            &format!("pwa_live_{}", "a".repeat(200)),
        ] {
            assert!(!is_well_formed_key(bad), "{bad}");
        }
    }
}
