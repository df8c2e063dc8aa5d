//! The generate function: the registry's endpoints of `generate`, served by the one dispatcher with only
//! their handlers linked.

passwordapi::function_main!("generate");
