//! A progress bar on stderr for generations that take more than a moment: hidden at first,
//! drawn only on a terminal once a run has lasted 300 ms.

use std::time::{Duration, Instant};

use generator::{Progress, Step};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Steps before formatting, each counted as the next one starts: load, lower.
const STEPS_BEFORE_FORMAT: u64 = 2;
const DELAY: Duration = Duration::from_millis(300);

/// Shows a run's [`Step`]s (load, lower, emit, then one tick per formatted file).
pub struct Bar {
    bar: ProgressBar,
    started: Instant,
    terminal: bool,
}

impl Bar {
    /// A bar that draws only when `terminal` is true.
    pub fn new(terminal: bool) -> Self {
        let bar =
            ProgressBar::with_draw_target(Some(STEPS_BEFORE_FORMAT), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        Self {
            bar,
            started: Instant::now(),
            terminal,
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn show_if_slow(&self) {
        if self.terminal && self.bar.is_hidden() && self.started.elapsed() >= DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Progress for Bar {
    fn step(&self, step: Step<'_>) {
        self.show_if_slow();
        match step {
            Step::Load => self.bar.set_message("loading the spec"),
            Step::Lower => {
                self.bar.inc(1);
                self.bar.set_message("lowering it into the IR");
            }
            Step::Emit { rust_files } => {
                self.bar.inc(1);
                self.bar.inc_length(rust_files as u64);
                self.bar.set_message("emitting and formatting");
            }
            Step::Formatted(path) => {
                self.bar.inc(1);
                self.bar.set_message(format!("formatted {path}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_a_terminal_the_bar_counts_every_step_but_never_draws() {
        let bar = Bar::new(false);
        bar.step(Step::Load);
        bar.step(Step::Lower);
        bar.step(Step::Emit { rust_files: 2 });
        std::thread::sleep(DELAY);
        bar.step(Step::Formatted("src/lib.rs"));
        bar.step(Step::Formatted("src/types.rs"));
        assert!(bar.bar.is_hidden());
        assert_eq!(bar.bar.position(), bar.bar.length().unwrap_or(0));
        assert_eq!(bar.bar.position(), 4);
    }
}
