//! The register function: the registry's endpoints of `register`, served by the one dispatcher with only
//! their handlers linked.

passwordapi::function_main!("register");
