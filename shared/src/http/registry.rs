//! Every endpoint of the API, in one list: its path and methods, the function that serves it,
//! its handler, whether it is metered, what the caller presents, and for a drop-in route the
//! request and response forms of the service it stands in for. The one dispatcher
//! ([`super::dispatch`]) serves a function's requests from it (405 with `Allow`, the `OPTIONS`
//! preflight, 404); the tests hold the local watch router, template.yaml's routes and
//! openapi.yaml's paths and parameters against it, and the hostile-input suite iterates it.

use super::request::Route;
use lambda_http::http::Method;

/// What a caller presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// An API key (`Authorization: Bearer` or `X-API-Key`), or nothing: the anonymous plan,
    /// counted per client address.
    KeyOrAnonymous,
    /// An API key.
    Key,
    /// No credential: the body carries what the endpoint checks (an email, a regen token).
    None,
}

/// What answers an endpoint (the dispatcher calls it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handler {
    /// `http::generate`.
    Generate,
    /// `http::evaluate`.
    Evaluate,
    /// `http::accounts`, registration.
    Register,
    /// `http::accounts`, regeneration.
    Regenerate,
    /// `http::accounts`, usage and the hard limit.
    Usage,
    /// `http::accounts`, the account's audit trail.
    Events,
    /// `http::mcp`, the MCP server.
    Mcp,
    /// `http::compat::passgeni`.
    PassGeni,
    /// `http::compat::tinyfn`.
    TinyFn,
    /// `http::compat::bunny`.
    Bunny,
    /// `http::console`: the page.
    Console,
    /// `http::console`: the contract.
    OpenApi,
}

impl Handler {
    /// Every handler.
    pub const ALL: [Handler; 12] = [
        Handler::Generate,
        Handler::Evaluate,
        Handler::Register,
        Handler::Regenerate,
        Handler::Usage,
        Handler::Events,
        Handler::Mcp,
        Handler::PassGeni,
        Handler::TinyFn,
        Handler::Bunny,
        Handler::Console,
        Handler::OpenApi,
    ];
}

/// How a route writes its refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errors {
    /// `{error, message, param}` with the stable code.
    Native,
    /// PassGeni's shapes (its 429 with `resetAt` and `code`).
    PassGeni,
    /// Bunny's `{"detail": …}` (422 for parameters, its own 401 and 429 words).
    Bunny,
}

/// A drop-in route's request and response forms, as its service documents them.
#[derive(Clone, Copy, Debug)]
pub struct DropIn {
    /// The body fields it reads.
    pub body: &'static [&'static str],
    /// The query parameters it reads.
    pub query: &'static [&'static str],
    /// How it writes refusals.
    pub errors: Errors,
}

/// One endpoint.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// Its path and methods.
    pub route: Route,
    /// The function (binary under `functions/`, SAM resource) that serves it.
    pub function: &'static str,
    /// What answers it.
    pub handler: Handler,
    /// Whether an admitted request counts against the caller's daily quota.
    pub metered: bool,
    /// What the caller presents.
    pub auth: Auth,
    /// For a drop-in route, the forms of the service it stands in for.
    pub drop_in: Option<DropIn>,
}

impl Endpoint {
    /// A drop-in route's forms (a compile-time error in a constant of any other route).
    pub const fn forms(&self) -> DropIn {
        match self.drop_in {
            Some(forms) => forms,
            None => panic!("not a drop-in route"),
        }
    }
}

/// `GET|POST /v1/generate`.
pub const GENERATE: Endpoint = Endpoint {
    route: Route {
        path: "/v1/generate",
        methods: &[Method::GET, Method::POST],
    },
    function: "generate",
    handler: Handler::Generate,
    metered: true,
    auth: Auth::KeyOrAnonymous,
    drop_in: None,
};

/// `POST /v1/evaluate`.
pub const EVALUATE: Endpoint = Endpoint {
    route: Route {
        path: "/v1/evaluate",
        methods: &[Method::POST],
    },
    function: "evaluate",
    handler: Handler::Evaluate,
    metered: true,
    auth: Auth::KeyOrAnonymous,
    drop_in: None,
};

/// `POST /v1/keys/register`.
pub const REGISTER: Endpoint = Endpoint {
    route: Route {
        path: "/v1/keys/register",
        methods: &[Method::POST],
    },
    function: "register",
    handler: Handler::Register,
    metered: false,
    auth: Auth::None,
    drop_in: None,
};

/// `POST /v1/keys/regenerate`.
pub const REGENERATE: Endpoint = Endpoint {
    route: Route {
        path: "/v1/keys/regenerate",
        methods: &[Method::POST],
    },
    function: "regenerate",
    handler: Handler::Regenerate,
    metered: false,
    auth: Auth::None,
    drop_in: None,
};

/// `GET|PUT /v1/keys/usage`.
pub const USAGE: Endpoint = Endpoint {
    route: Route {
        path: "/v1/keys/usage",
        methods: &[Method::GET, Method::PUT],
    },
    function: "usage",
    handler: Handler::Usage,
    metered: false,
    auth: Auth::Key,
    drop_in: None,
};

/// `GET /v1/keys/events`: the account's audit trail (served by the usage function).
pub const EVENTS: Endpoint = Endpoint {
    route: Route {
        path: "/v1/keys/events",
        methods: &[Method::GET],
    },
    function: "usage",
    handler: Handler::Events,
    metered: false,
    auth: Auth::Key,
    drop_in: None,
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
    handler: Handler::Mcp,
    metered: true,
    auth: Auth::KeyOrAnonymous,
    drop_in: None,
};

/// `POST /api/v1/generate`: PassGeni's generate, for its clients (the key in the `apiKey` body
/// field or a header; without one, the anonymous plan).
pub const PASSGENI: Endpoint = Endpoint {
    route: Route {
        path: "/api/v1/generate",
        methods: &[Method::POST],
    },
    function: "generate",
    handler: Handler::PassGeni,
    metered: true,
    auth: Auth::KeyOrAnonymous,
    drop_in: Some(DropIn {
        body: &[
            "apiKey",
            "profession",
            "length",
            "count",
            "compliance",
            "mode",
            "quantum",
        ],
        query: &[],
        errors: Errors::PassGeni,
    }),
};

/// `GET /v1/generate/password`: TinyFn's generator, for its clients (`X-API-Key`).
pub const TINYFN: Endpoint = Endpoint {
    route: Route {
        path: "/v1/generate/password",
        methods: &[Method::GET],
    },
    function: "generate",
    handler: Handler::TinyFn,
    metered: true,
    auth: Auth::KeyOrAnonymous,
    drop_in: Some(DropIn {
        body: &[],
        query: &[
            "length",
            "uppercase",
            "lowercase",
            "numbers",
            "symbols",
            "exclude",
        ],
        errors: Errors::Native,
    }),
};

/// `POST /api/v1/random-password/generate`: Bunny's generator, for its clients (`X-API-Key`
/// required).
pub const BUNNY: Endpoint = Endpoint {
    route: Route {
        path: "/api/v1/random-password/generate",
        methods: &[Method::POST],
    },
    function: "generate",
    handler: Handler::Bunny,
    metered: true,
    auth: Auth::Key,
    drop_in: Some(DropIn {
        body: &["length", "uppercase", "lowercase", "numbers", "symbols"],
        query: &[],
        errors: Errors::Bunny,
    }),
};

/// `POST /mcp/generate`: the MCP server again, where TinyFn's clients find its generator tools
/// (`/mcp/generate/`: a trailing slash is routed alike).
pub const TINYFN_MCP: Endpoint = Endpoint {
    route: Route {
        path: "/mcp/generate",
        methods: &[Method::POST],
    },
    function: "mcp",
    handler: Handler::Mcp,
    metered: true,
    auth: Auth::KeyOrAnonymous,
    drop_in: None,
};

/// `GET /`: the console, a page to use the API from a browser.
pub const CONSOLE: Endpoint = Endpoint {
    route: Route {
        path: "/",
        methods: &[Method::GET],
    },
    function: "console",
    handler: Handler::Console,
    metered: false,
    auth: Auth::None,
    drop_in: None,
};

/// `GET /index.html`: the console again.
pub const CONSOLE_PAGE: Endpoint = Endpoint {
    route: Route {
        path: "/index.html",
        methods: &[Method::GET],
    },
    function: "console",
    handler: Handler::Console,
    metered: false,
    auth: Auth::None,
    drop_in: None,
};

/// `GET /openapi.yaml`: the HTTP contract.
pub const OPENAPI_DOCUMENT: Endpoint = Endpoint {
    route: Route {
        path: "/openapi.yaml",
        methods: &[Method::GET],
    },
    function: "console",
    handler: Handler::OpenApi,
    metered: false,
    auth: Auth::None,
    drop_in: None,
};

/// Every endpoint.
pub const ENDPOINTS: [Endpoint; 14] = [
    GENERATE,
    EVALUATE,
    REGISTER,
    REGENERATE,
    USAGE,
    EVENTS,
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

    /// Every handler answers some entry, and every entry names a handler the dispatcher serves
    /// (the dispatcher's match is exhaustive; its HTTP tests serve every entry).
    #[test]
    fn every_handler_has_an_entry() {
        for handler in Handler::ALL {
            assert!(
                ENDPOINTS.iter().any(|e| e.handler == handler),
                "{handler:?} serves no entry"
            );
        }
        for e in &ENDPOINTS {
            assert!(Handler::ALL.contains(&e.handler), "{}", e.route.path);
        }
    }
}
