//! The web pages of `oversight serve`, server-rendered.
//!
//! This crate only renders: [`views`] holds one view model per page, filled
//! by the server's page handlers (`oversight-server`, `src/pages.rs`) after
//! its one scope check, and rendered by askama templates compiled into the
//! binary. [`assets`] serves the stylesheet, the small script and a vendored
//! htmx from memory, and [`SECURITY_HEADERS`] is what every page is sent
//! with: a Content-Security-Policy that allows no inline script or style.
//! Pages read without JavaScript; htmx only spares full reloads.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod assets;
pub mod charts;
pub mod views;

pub use askama::Template;

/// A page could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("The page `{page}` cannot be rendered: {source}")]
pub struct RenderError {
    /// Which page.
    pub page: &'static str,
    /// Why.
    pub source: askama::Error,
}

/// The Content-Security-Policy of every page: scripts, styles, images and
/// requests from this origin only, no inline script or style, no frames,
/// forms posted to this origin only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The headers every page is sent with.
pub const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("cache-control", "no-store"),
];

/// Renders `template` (page `page`, for the error message).
pub fn render(page: &'static str, template: &impl askama::Template) -> Result<String, RenderError> {
    template
        .render()
        .map_err(|source| RenderError { page, source })
}
