//! Integration tests live beside this crate; see Cargo.toml.
