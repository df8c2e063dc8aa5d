//! The evaluate function: the registry's endpoints of `evaluate`, served by the one dispatcher with only
//! their handlers linked.

passwordapi::function_main!("evaluate");
