//! A progress bar on standard error, only when it is a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Draws scan progress, or nothing when disabled.
pub(crate) struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub(crate) fn new(enabled: bool) -> Self {
        let target = if enabled {
            ProgressDrawTarget::stderr_with_hz(4)
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos}/{len} files, {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Bar { bar }
    }
}

impl oversight_scan::Progress for Bar {
    fn start(&self, files: u64) {
        self.bar.set_length(files);
        self.bar.enable_steady_tick(Duration::from_millis(250));
    }

    fn file_done(&self, bytes: u64) {
        self.bar.inc(1);
        let _ = bytes;
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
