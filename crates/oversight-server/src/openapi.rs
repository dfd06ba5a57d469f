//! The OpenAPI 3.1 description, generated from the route table, so it
//! lists exactly the routes the router serves, with what each needs.

use crate::routes::{Guard, Route};

/// The OpenAPI document of `routes`.
pub fn document(routes: &[Route]) -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for route in routes {
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| serde_json::json!({}));
        let parameters: Vec<serde_json::Value> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                serde_json::json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
            })
            .collect();
        let (security, needs) = match route.guard {
            Guard::Public => (serde_json::json!([]), "none".to_owned()),
            Guard::Authenticated => (
                serde_json::json!([{"bearer": []}, {"session": []}]),
                "any authenticated account".to_owned(),
            ),
            Guard::Action(action) => (
                serde_json::json!([{"bearer": []}, {"session": []}]),
                format!("the `{}` action in scope", action.as_str()),
            ),
        };
        entry[route.method.as_str().to_lowercase()] = serde_json::json!({
            "summary": route.summary,
            "description": format!("Requires: {needs}."),
            "parameters": parameters,
            "security": security,
            "responses": {
                "default": {
                    "description": "Success, or an RFC 9457 problem",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                }
            }
        });
    }
    serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "Oversight", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token (`ovs_…`)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "id"}
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string"}, "title": {"type": "string"},
                        "status": {"type": "integer"}, "detail": {"type": "string"}
                    }
                }
            }
        }
    })
}
