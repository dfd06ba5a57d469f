//! Every line a person reads on the terminal goes through one escaping
//! function, [`oversight_report::sanitize_block`]: file names, messages and
//! reasons come from the delivery, and a carriage return or an escape
//! sequence in one could rewrite the verdict a reviewer sees.
//!
//! [`out!`] and [`err!`] print a formatted line through [`Terminal`], which
//! removes every control character but the newline and tab and shows
//! bidirectional and zero-width characters as `<U+XXXX>`.

use std::io::{self, Write};

/// A writer whose bytes reach the terminal only after escaping, line by
/// line (a line split across writes is escaped whole).
pub(crate) struct Terminal<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Terminal<W> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: W) -> Terminal<W> {
        Terminal {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let bytes: Vec<u8> = self.pending.drain(..upto).collect();
        let text = String::from_utf8_lossy(&bytes);
        self.inner.write_all(escape(&text).as_bytes())
    }
}

/// The one escaping function for human output: keeps newlines and tabs,
/// removes every other control character, shows invisible formatting
/// characters as `<U+XXXX>`.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\t') {
        return oversight_report::sanitize_block(text);
    }
    let parts: Vec<_> = text
        .split('\t')
        .map(oversight_report::sanitize_block)
        .collect();
    std::borrow::Cow::Owned(parts.join("\t"))
}

impl<W: Write> Write for Terminal<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.emit(last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let len = self.pending.len();
        self.emit(len)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Terminal<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Standard output, escaped.
pub(crate) fn stdout() -> Terminal<io::StdoutLock<'static>> {
    Terminal::new(io::stdout().lock())
}

/// Standard error, escaped.
pub(crate) fn stderr() -> Terminal<io::StderrLock<'static>> {
    Terminal::new(io::stderr().lock())
}

/// `println!` through [`escape`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut t = $crate::term::stdout();
        let _ = writeln!(t, $($arg)*);
    }};
}

/// `eprintln!` through [`escape`].
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut t = $crate::term::stderr();
        let _ = writeln!(t, $($arg)*);
    }};
}

pub(crate) use {err, out};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut buf = Vec::new();
        {
            let mut t = Terminal::new(&mut buf);
            write!(t, "evil\r\x1b[2KDecision: ACCEPTED\x1b]0;title\x07").unwrap();
            writeln!(t, " and \u{202E}reversed\ttab").unwrap();
        }
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "evil[2KDecision: ACCEPTED]0;title and <U+202E>reversed\ttab\n"
        );
    }
}
