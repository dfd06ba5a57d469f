//! Not yet implemented.

use crate::collect::Out;

pub(crate) fn parse(_text: &str, _out: &mut Out) {}
