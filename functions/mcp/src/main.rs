//! The mcp function: the registry's endpoints of `mcp`, served by the one dispatcher with only
//! their handlers linked.

passwordapi::function_main!("mcp");
