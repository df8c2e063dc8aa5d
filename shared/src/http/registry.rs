//! Every endpoint of the API, in one list: its path and methods, the function that serves it,
//! whether it is metered, and what the caller presents. Routing inside a function (405 with
//! `Allow`, the `OPTIONS` preflight) reads it; the tests hold the local watch router,
//! template.yaml's routes, openapi.yaml's paths and the test dispatcher against it, and the
//! hostile-input suite iterates it.

use super::request::Route;
use lambda_http::http::Method;

/// What a caller presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// An API key (`Authorization: Bearer` or `X-API-Key`), or nothing: the anonymous tier,
    /// counted per client address.
    KeyOrAnonymous,
    /// An API key.
    Key,
    /// No credential: the body carries what the endpoint checks (an email, a regen token).
    None,
}

/// One endpoint.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// Its path and methods.
    pub route: Route,
    /// The function (binary under `functions/`, SAM resource) that serves it.
    pub function: &'static str,
    /// Whether an admitted request counts against the caller's daily quota.
    pub metered: bool,
    /// What the caller presents.
    pub auth: Auth,
}

/// `GET|POST /v1/generate`.
pub const GENERATE: Endpoint = Endpoint {
    route: Route {
        path: "/v1/generate",
        methods: &[Method::GET, Method::POST],
    },
    function: "generate",
    metered: true,
    auth: Auth::KeyOrAnonymous,
};

/// `POST /v1/evaluate`.
pub const EVALUATE: Endpoint = Endpoint {
    route: Route {
        path: "/v1/evaluate",
        methods: &[Method::POST],
    },
    function: "evaluate",
    metered: true,
    auth: Auth::KeyOrAnonymous,
};

/// `POST /v1/keys/register`.
pub const REGISTER: Endpoint = Endpoint {
    route: Route {
        path: "/v1/keys/register",
        methods: &[Method::POST],
    },
    function: "register",
    metered: false,
    auth: Auth::None,
};

/// `POST /v1/keys/regenerate`.
pub const REGENERATE: Endpoint = Endpoint {
    route: Route {
        path: "/v1/keys/regenerate",
        methods: &[Method::POST],
    },
    function: "regenerate",
    metered: false,
    auth: Auth::None,
};

/// `GET|PUT /v1/keys/usage`.
pub const USAGE: Endpoint = Endpoint {
    route: Route {
        path: "/v1/keys/usage",
        methods: &[Method::GET, Method::PUT],
    },
    function: "usage",
    metered: false,
    auth: Auth::Key,
};

/// `POST /mcp`: the MCP server (Streamable HTTP, stateless). Its `tools/call` of
/// `generate_password`, `evaluate_password` and `check_policy` is metered; nothing else it
/// answers is (`get_usage`, `tools/list`, `initialize`, …).
pub const MCP: Endpoint = Endpoint {
    route: Route {
        path: "/mcp",
        methods: &[Method::POST],
    },
    function: "mcp",
    metered: true,
    auth: Auth::KeyOrAnonymous,
};

/// `POST /api/v1/generate`: PassGeni's generate, for its clients (the key in the `apiKey` body
/// field or a header; without one, the anonymous tier).
pub const PASSGENI: Endpoint = Endpoint {
    route: Route {
        path: "/api/v1/generate",
        methods: &[Method::POST],
    },
    function: "generate",
    metered: true,
    auth: Auth::KeyOrAnonymous,
};

/// `GET /v1/generate/password`: TinyFn's generator, for its clients (`X-API-Key`).
pub const TINYFN: Endpoint = Endpoint {
    route: Route {
        path: "/v1/generate/password",
        methods: &[Method::GET],
    },
    function: "generate",
    metered: true,
    auth: Auth::KeyOrAnonymous,
};

/// `POST /api/v1/random-password/generate`: Bunny's generator, for its clients (`X-API-Key`
/// required).
pub const BUNNY: Endpoint = Endpoint {
    route: Route {
        path: "/api/v1/random-password/generate",
        methods: &[Method::POST],
    },
    function: "generate",
    metered: true,
    auth: Auth::Key,
};

/// `POST /mcp/generate`: the MCP server again, where TinyFn's clients find its generator tools
/// (`/mcp/generate/`: a trailing slash is routed alike).
pub const TINYFN_MCP: Endpoint = Endpoint {
    route: Route {
        path: "/mcp/generate",
        methods: &[Method::POST],
    },
    function: "mcp",
    metered: true,
    auth: Auth::KeyOrAnonymous,
};

/// `GET /`: the console, a page to use the API from a browser.
pub const CONSOLE: Endpoint = Endpoint {
    route: Route {
        path: "/",
        methods: &[Method::GET],
    },
    function: "console",
    metered: false,
    auth: Auth::None,
};

/// `GET /index.html`: the console again.
pub const CONSOLE_PAGE: Endpoint = Endpoint {
    route: Route {
        path: "/index.html",
        methods: &[Method::GET],
    },
    function: "console",
    metered: false,
    auth: Auth::None,
};

/// `GET /openapi.yaml`: the HTTP contract.
pub const OPENAPI_DOCUMENT: Endpoint = Endpoint {
    route: Route {
        path: "/openapi.yaml",
        methods: &[Method::GET],
    },
    function: "console",
    metered: false,
    auth: Auth::None,
};

/// Every endpoint.
pub const ENDPOINTS: [Endpoint; 13] = [
    GENERATE,
    EVALUATE,
    REGISTER,
    REGENERATE,
    USAGE,
    MCP,
    PASSGENI,
    TINYFN,
    BUNNY,
    TINYFN_MCP,
    CONSOLE,
    CONSOLE_PAGE,
    OPENAPI_DOCUMENT,
];

/// The endpoint of `function` at `path` (the first of the function's when none is: its handler
/// then answers 404).
pub fn of_function(function: &str, path: &str) -> &'static Endpoint {
    ENDPOINTS
        .iter()
        .filter(|e| e.function == function)
        .find(|e| e.route.path == path)
        .or_else(|| ENDPOINTS.iter().find(|e| e.function == function))
        .expect("a function of the registry")
}

/// The endpoint at `path` (a trailing slash routed alike, as API Gateway does).
pub fn find(path: &str) -> Option<&'static Endpoint> {
    let path = super::request::routed(path);
    ENDPOINTS.iter().find(|e| e.route.path == path)
}

/// The functions that serve the endpoints, each once, in the registry's order.
pub fn functions() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for e in &ENDPOINTS {
        if !out.contains(&e.function) {
            out.push(e.function);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_found() {
        for e in &ENDPOINTS {
            assert_eq!(find(e.route.path).map(|f| f.function), Some(e.function));
            assert!(!e.route.methods.is_empty());
        }
        assert!(find("/v1/nowhere").is_none());
        assert_eq!(find("/mcp/generate/").map(|e| e.function), Some("mcp"));
        // Each function once, and every endpoint's among them (a function may serve several).
        let functions = functions();
        let unique: std::collections::BTreeSet<_> = functions.iter().collect();
        assert_eq!(unique.len(), functions.len());
        assert!(ENDPOINTS.iter().all(|e| functions.contains(&e.function)));
    }
}
