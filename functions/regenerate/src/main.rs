//! The regenerate function: the registry's endpoints of `regenerate`, served by the one dispatcher with only
//! their handlers linked.

passwordapi::function_main!("regenerate");
