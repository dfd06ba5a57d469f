//! Suppliers and the supply chain below them.

use crate::id::SupplierId;

/// An external provider that develops systems for the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplier {
    /// Stable id, referenced by engagements.
    pub id: SupplierId,
    /// Legal or trading name.
    pub name: String,
    /// People to contact.
    pub contacts: Vec<Contact>,
    /// The supplier's own suppliers that take part in the development.
    pub sub_suppliers: Vec<SubSupplier>,
}

/// A person at a supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Role, e.g. `security contact`, `account manager`.
    pub role: Option<String>,
}

/// A sub-supplier: part of the external supply chain the control covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubSupplier {
    /// Legal or trading name.
    pub name: String,
    /// What it contributes, e.g. `mobile app development`, `hosting`.
    pub service: Option<String>,
    /// Country where the work is done (matters for data protection law).
    pub country: Option<String>,
}
