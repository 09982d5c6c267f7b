//! How much kyso says on stderr (`-q`, `-v`, `-vv`) and the progress bar.
//!
//! The bar is drawn by hand (one line, `\r` and an erase-line escape) rather than with a crate
//! such as indicatif: kyso needs one bar at a time, the batch line already drew itself this
//! way, and a dozen lines do not justify the dependencies. It appears only when stderr is a
//! terminal and not with `--quiet`: a pipe or a log file never receives it.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicI8, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// -1 quiet, 0 normal, 1.. verbose.
static LEVEL: AtomicI8 = AtomicI8::new(0);
/// Quiet, and nothing on stdout either (no explicit --json asked).
static QUIET_STDOUT: AtomicBool = AtomicBool::new(false);
/// Per-file byte progress is off during a batch (the batch has its own bar).
static FILE_BAR: AtomicBool = AtomicBool::new(true);

/// Files at least this large get a bar while they are hashed.
const LARGE: u64 = 50 << 20;

/// Sets the level from the global flags; `explicit_output` is an output the user asked for
/// by name (--json, completions), which --quiet does not silence.
pub fn init(verbose: u8, quiet: bool, explicit_output: bool) {
    let level = if quiet { -1 } else { verbose.min(100) as i8 };
    LEVEL.store(level, Ordering::Relaxed);
    QUIET_STDOUT.store(quiet && !explicit_output, Ordering::Relaxed);
    if bars_shown() {
        kyso::progress::set_hook(file_event);
    }
}

pub fn quiet() -> bool {
    LEVEL.load(Ordering::Relaxed) < 0
}

/// Whether stdout stays silent (--quiet without an explicitly asked output).
pub fn quiet_stdout() -> bool {
    QUIET_STDOUT.load(Ordering::Relaxed)
}

pub fn verbosity() -> u8 {
    LEVEL.load(Ordering::Relaxed).max(0) as u8
}

/// A verbose line ("kyso: …") when -v was given at least `level` times.
macro_rules! verbose {
    ($level:expr, $($arg:tt)*) => {
        if $crate::progress::verbosity() >= $level {
            eprintln!("kyso: {}", format_args!($($arg)*));
        }
    };
}

/// A warning or note (not an error): silent with --quiet.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::progress::quiet() {
            eprintln!($($arg)*);
        }
    };
}

/// Runs one stage, saying what it is and how long it took with -v.
pub fn stage<T>(what: &str, f: impl FnOnce() -> T) -> T {
    if verbosity() == 0 {
        return f();
    }
    eprintln!("kyso: {what} …");
    let t = Instant::now();
    let r = f();
    eprintln!("kyso: {what}: {}", crate::batch::duration(t.elapsed()));
    r
}

/// Whether bars may be drawn at all.
pub fn bars_shown() -> bool {
    !quiet() && std::io::stderr().is_terminal()
}

/// Draws `label [####    ]  45% done/total` over the current stderr line (a terminal's).
fn draw(label: &str, done: u64, total: u64, bytes: bool) {
    let total = total.max(1);
    let done = done.min(total);
    const WIDTH: u64 = 30;
    let filled = (done * WIDTH / total) as usize;
    let count = if bytes {
        format!("{}/{} MB", done >> 20, total >> 20)
    } else {
        format!("{done}/{total}")
    };
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r\x1b[K{label} [{}{}] {:>3}% {count}",
        "#".repeat(filled),
        " ".repeat(WIDTH as usize - filled),
        done * 100 / total
    );
    let _ = err.flush();
}

/// A batch's bar (files done of all), drawn by the caller when [`bars_shown`].
pub fn draw_count(label: &str, done: u64, total: u64) {
    draw(label, done, total, false);
}

/// A bar on stderr; drawn at most ten times a second, erased when dropped.
pub struct Bar {
    label: String,
    total: u64,
    bytes: bool,
    drawn: Option<Instant>,
    shown: bool,
}

impl Bar {
    /// A bar for `total` items (files), or bytes when `bytes`; hidden unless [`bars_shown`].
    pub fn new(label: &str, total: u64, bytes: bool) -> Bar {
        Bar {
            label: label.to_string(),
            total: total.max(1),
            bytes,
            drawn: None,
            shown: bars_shown(),
        }
    }

    pub fn set(&mut self, done: u64) {
        if !self.shown {
            return;
        }
        let now = Instant::now();
        let last = done >= self.total;
        if self
            .drawn
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
            && !last
        {
            return;
        }
        self.drawn = Some(now);
        draw(&self.label, done, self.total, self.bytes);
    }

    /// Erases the line (for a message to be printed in its place).
    pub fn clear(&self) {
        if self.shown && self.drawn.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Per-file bars are not drawn while a batch runs (several files at once).
pub fn set_file_bars(on: bool) {
    FILE_BAR.store(on, Ordering::Relaxed);
}

static CURRENT: Mutex<Option<Bar>> = Mutex::new(None);

/// The library's hashing passes, drawn when the file is large.
fn file_event(event: kyso::progress::Event) {
    use kyso::progress::{Event, Stage};
    if !FILE_BAR.load(Ordering::Relaxed) {
        return;
    }
    let mut current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
    match event {
        Event::Started { stage, total } if total >= LARGE => {
            let label = match stage {
                Stage::SignHashing => "Đang ký / signing",
                Stage::VerifyHashing => "Đang kiểm tra / verifying",
            };
            let mut bar = Bar::new(label, total, true);
            bar.set(0);
            *current = Some(bar);
        }
        Event::Started { .. } => *current = None,
        Event::Advanced { done } => {
            if let Some(bar) = current.as_mut() {
                bar.set(done);
            }
        }
        Event::Finished => *current = None,
    }
}
