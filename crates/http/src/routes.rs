//! A router that also keeps the templates of its routes, for the metrics layer
//! to label requests by (`crate::metrics`). axum's own `MatchedPath` is off:
//! it added an extension to every request whether or not metrics were on
//! (docs/benchmarks.md, finding 14).

use axum::Router;
use axum::routing::MethodRouter;

use crate::App;

pub struct Routes {
    router: Router<App>,
    templates: Vec<String>,
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Routes {
            router: Router::new(),
            templates: Vec::new(),
        }
    }

    pub fn route(mut self, path: &str, method_router: MethodRouter<App>) -> Self {
        self.templates.push(path.to_owned());
        self.router = self.router.route(path, method_router);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.templates.extend(other.templates);
        self.router = self.router.merge(other.router);
        self
    }

    pub fn into_parts(self) -> (Router<App>, Vec<String>) {
        (self.router, self.templates)
    }
}
