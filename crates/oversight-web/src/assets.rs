//! The static assets, embedded in the binary: the stylesheet, the page
//! script and htmx (vendored from the npm package `htmx.org`, 0BSD, its
//! licence header kept and its licence beside it).

/// One embedded file.
pub struct Asset {
    /// Its name under `/static/`.
    pub name: &'static str,
    /// Its media type.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

/// Every asset.
pub const ASSETS: [Asset; 4] = [
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/app.js"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/htmx.min.js"),
    },
    Asset {
        name: "htmx.LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../static/htmx.LICENSE"),
    },
];

/// The asset called `name`, if there is one.
pub fn get(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// The stylesheet, for pages read with no server (the evidence pack's
/// `index.html` inlines it).
pub const STYLESHEET: &str = include_str!("../static/app.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htmx_keeps_its_licence_header() {
        let htmx = std::str::from_utf8(get("htmx.min.js").unwrap().bytes).unwrap();
        assert!(htmx.starts_with("/*! htmx 2.0.11"));
        assert!(htmx.contains("0BSD"));
        assert!(get("../Cargo.toml").is_none());
    }
}
