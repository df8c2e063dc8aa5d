//! The usage function: the registry's endpoints of `usage`, served by the one dispatcher with only
//! their handlers linked.

passwordapi::function_main!("usage");
