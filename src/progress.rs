//! Progress bars on standard error (drawn only when it is a terminal).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting `len` items, showing rate and time left; hidden unless `shown`.
pub fn bar_if(shown: bool, len: u64, what: &str) -> ProgressBar {
    if shown {
        bar(len, what)
    } else {
        ProgressBar::hidden()
    }
}

/// A spinner with the time taken so far, for a stage whose work is not counted in items.
pub fn spinner(what: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{msg:>12} {spinner} {elapsed}").expect("the template is valid"));
    bar.set_message(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A bar counting `len` items, showing rate and time left.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}
