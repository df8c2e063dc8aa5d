//! The console function: the registry's endpoints of `console`, served by the one dispatcher with only
//! their handlers linked.

passwordapi::function_main!("console");
