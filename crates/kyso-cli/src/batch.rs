//! `kyso verify` over several files and folders: files are collected (folders give their
//! `*.pdf` files, all levels with `--recursive`), verified in parallel, and reported in path
//! order, followed by a summary table (human output), as JSON lines, or as one JSON array.
//!
//! Files that cannot be read are reported in order with the others (an `error` in JSON), and
//! one line on stderr counts them.
//!
//! Exit code: the worst over all files, 1 (any failed) > 4 (any unreadable or unsigned)
//! > 3 (any indeterminate) > 0.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kyso::text::report::visible;
use kyso::text::verdict::{self, Tone, Verdict};
use kyso::text::Lang;
use kyso::verify::report::Report;
use kyso::verify::VerifyOptions;

/// How the results are printed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    /// One JSON array of the reports.
    Json,
    /// One JSON report per line.
    JsonLines,
}

/// Whether the inputs call for the batch mode: several paths, or any folder.
pub fn is_batch(inputs: &[PathBuf]) -> bool {
    inputs.len() > 1 || inputs.iter().any(|p| p.is_dir())
}

/// The result for one file.
struct Outcome {
    path: PathBuf,
    result: Result<Report, String>,
}

impl Outcome {
    /// The single-file exit code: 0, 1, 3, or 4 (no signature, unreadable); with
    /// `--require-decree30` a non-conforming document is 1.
    fn exit_code(&self, require_decree30: bool) -> u8 {
        match &self.result {
            Ok(r) if require_decree30 => r.exit_code_requiring_decree30() as u8,
            Ok(r) => r.exit_code() as u8,
            Err(_) => 4,
        }
    }

    fn json(&self) -> serde_json::Value {
        match &self.result {
            Ok(r) => serde_json::to_value(r).unwrap_or_default(),
            Err(e) => serde_json::json!({
                "file": self.path.display().to_string(),
                "error": e,
            }),
        }
    }
}

/// Severity of an exit code for combining: 1 > 4 > 3 > 0.
fn severity(code: u8) -> u8 {
    match code {
        0 => 0,
        3 => 1,
        4 => 2,
        _ => 3,
    }
}

/// The worst of several exit codes (0 when there are none).
fn worst(codes: impl IntoIterator<Item = u8>) -> u8 {
    codes.into_iter().max_by_key(|&c| severity(c)).unwrap_or(0)
}

pub(crate) fn is_pdf_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// The `*.pdf` files of `dir` (and of its subfolders when `recursive`; symbolic links to
/// folders are not followed). Folders that cannot be read are given as errors.
fn walk(dir: &Path, recursive: bool, files: &mut Vec<PathBuf>, errors: &mut Vec<Outcome>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(Outcome {
                path: dir.to_path_buf(),
                result: Err(crate::help_text::io_text(dir, &e)),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            if recursive {
                walk(&path, recursive, files, errors);
            }
        } else if is_pdf_name(&path) && path.is_file() {
            files.push(path);
        }
    }
}

/// How many files to work on at once: `--jobs`, else `per_core` per CPU core.
pub fn workers(jobs: Option<u32>, per_core: usize) -> usize {
    match jobs {
        Some(n) => n.max(1) as usize,
        None => {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                * per_core.max(1)
        }
    }
}

/// How a batch shows its results.
pub struct Presentation<'a> {
    pub format: Format,
    pub colour: bool,
    /// The HTML report to write, if asked.
    pub report: Option<&'a Path>,
    /// `--require-decree30`: a non-conforming document makes the exit code 1.
    pub require_decree30: bool,
    /// The language of the words (the reports are localised here, once, before output).
    pub lang: Lang,
}

/// Verifies every file the inputs name with `workers` threads and prints the results;
/// returns the exit code.
pub fn run(
    inputs: &[PathBuf],
    recursive: bool,
    workers: usize,
    opts: &VerifyOptions,
    shown: Presentation<'_>,
) -> u8 {
    let Presentation {
        format,
        colour,
        report,
        require_decree30,
        lang,
    } = shown;
    let started = Instant::now();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, recursive, &mut files, &mut errors);
        } else {
            // A file named explicitly is verified whatever its name (or reported unreadable).
            files.push(input.clone());
        }
    }
    files.sort();
    files.dedup();
    if files.is_empty() && errors.is_empty() {
        eprintln!("kyso: không tìm thấy tệp PDF nào / no PDF files found");
        return crate::exit::UNREADABLE;
    }

    // The bar on a terminal, not with --quiet; no per-file bar meanwhile.
    let progress = crate::progress::bars_shown();
    crate::progress::set_file_bars(false);
    let total = files.len();
    let workers = workers.min(total).max(1);
    let next = AtomicUsize::new(0);
    let mut printer = Printer::new(format, lang, colour, progress, total);
    printer.require_decree30 = require_decree30;
    for e in errors {
        printer.emit(&e);
        printer.outcomes.push(e);
    }

    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
        for _ in 0..workers {
            let tx = tx.clone();
            let (files, next) = (&files, &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let result = kyso::verify::verify_file(path, opts)
                    .map(|mut r| {
                        kyso::text::report::localise(&mut r, lang);
                        r
                    })
                    .map_err(|e| crate::help_text::error_text(&e));
                let outcome = Outcome {
                    path: path.clone(),
                    result,
                };
                if tx.send((i, outcome)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Print in path order as soon as the files before are done.
        let mut pending = BTreeMap::new();
        let mut printed = 0;
        for (i, outcome) in rx {
            pending.insert(i, outcome);
            while let Some(o) = pending.remove(&printed) {
                printed += 1;
                printer.done = printed;
                printer.emit(&o);
                printer.outcomes.push(o);
            }
            printer.show_progress(pending.len());
        }
    });
    let code = printer.finish(started.elapsed());
    let items: Vec<_> = printer
        .outcomes
        .iter()
        .map(|o| crate::html_report::Item {
            file: o.path.display().to_string(),
            result: o.result.as_ref().map_err(String::as_str),
        })
        .collect();
    match crate::html_report::write_to(report, &items, lang) {
        Ok(()) => code,
        Err(c) => worst([code, c]),
    }
}

/// Prints the outcomes in order, the progress line and the summary.
struct Printer {
    format: Format,
    lang: Lang,
    colour: bool,
    progress: bool,
    total: usize,
    done: usize,
    outcomes: Vec<Outcome>,
    require_decree30: bool,
}

impl Printer {
    fn new(format: Format, lang: Lang, colour: bool, progress: bool, total: usize) -> Printer {
        Printer {
            format,
            lang,
            colour,
            progress,
            total,
            done: 0,
            outcomes: Vec::new(),
            require_decree30: false,
        }
    }

    fn l(&self, vi: &'static str, en: &'static str) -> &'static str {
        if self.lang == Lang::Vi {
            vi
        } else {
            en
        }
    }

    fn clear_progress(&self) {
        if self.progress {
            eprint!("\r\x1b[K");
        }
    }

    /// `[done/total]` on stderr, only when it is a terminal.
    fn show_progress(&self, waiting: usize) {
        if self.progress && self.done < self.total {
            crate::progress::draw_count(
                self.l("Đang kiểm tra", "Verifying"),
                (self.done + waiting) as u64,
                self.total as u64,
            );
        }
    }

    fn emit(&self, o: &Outcome) {
        self.clear_progress();
        match self.format {
            Format::Json => {}
            Format::JsonLines => {
                outln!("{}", serde_json::to_string(&o.json()).unwrap_or_default());
            }
            Format::Human => match &o.result {
                Ok(report) => {
                    if !self.outcomes.is_empty() {
                        outln!();
                    }
                    out!(
                        "{}",
                        kyso::text::report::render_styled(report, self.lang, self.colour)
                    );
                }
                Err(e) => {
                    // On stdout, in order with the reports; stderr gets one line at the end.
                    if !self.outcomes.is_empty() {
                        outln!();
                    }
                    let file = o.path.display().to_string();
                    outln!("{}: {}", self.l("Tệp", "File"), visible(&file));
                    outln!(
                        "{}: {} ({})",
                        self.l("Kết luận", "Verdict"),
                        verdict::unreadable(self.lang).painted(self.colour),
                        visible(&e.to_string())
                    );
                }
            },
        }
        let _ = std::io::stdout().flush();
    }

    /// The verdict from the one vocabulary (kyso::text::verdict) the other reports use.
    fn verdict(&self, o: &Outcome) -> Verdict {
        match &o.result {
            Err(_) => verdict::unreadable(self.lang),
            Ok(r) => verdict::report(r, self.lang),
        }
    }

    fn finish(&self, elapsed: Duration) -> u8 {
        self.clear_progress();
        let code = worst(
            self.outcomes
                .iter()
                .map(|o| o.exit_code(self.require_decree30)),
        );
        match self.format {
            Format::JsonLines => {}
            Format::Json => {
                let all: Vec<_> = self.outcomes.iter().map(Outcome::json).collect();
                outln!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
            }
            Format::Human => self.summary(elapsed),
        }
        let unreadable = self.outcomes.iter().filter(|o| o.result.is_err()).count();
        if unreadable > 0 {
            eprintln!(
                "kyso: {unreadable} {}",
                self.l("tệp không đọc được", "file(s) could not be read")
            );
        }
        code
    }

    fn summary(&self, elapsed: Duration) {
        let header = [
            self.l("Tệp", "File"),
            self.l("Kết luận", "Verdict"),
            self.l("Thể thức NĐ 30", "Decree 30"),
            self.l("Người ký", "Signers"),
            self.l("Thời gian ký", "Signing time"),
            self.l("Thay đổi không được phép", "Disallowed changes"),
        ];
        let mut rows = Vec::new();
        let mut counts = [0usize; 6];
        let mut nonconforming = 0usize;
        for o in &self.outcomes {
            let verdict = self.verdict(o);
            let slot = match verdict.tone {
                Tone::Passed => 0,
                Tone::Failed => 1,
                Tone::Indeterminate => 2,
                Tone::NoSignature => 3,
                Tone::Unreadable => 4,
                Tone::Untrusted => 5,
            };
            counts[slot] += 1;
            if let Ok(r) = &o.result {
                if r.decree30.status == kyso::decree30::Conformity::NotConforming {
                    nonconforming += 1;
                }
            }
            let (signers, changes, decree30) = match &o.result {
                Ok(r) => (
                    signers(r),
                    disallowed_changes(r).to_string(),
                    decree30_cell(r, self.lang),
                ),
                Err(_) => (String::new(), String::new(), String::new()),
            };
            let dash = |s: String| if s.is_empty() { "—".to_string() } else { s };
            rows.push((
                [
                    visible(&o.path.display().to_string()).into_owned(),
                    verdict.label.clone(),
                    dash(decree30),
                    dash(visible(&signers).into_owned()),
                    dash(signing_time(o)),
                    dash(changes),
                ],
                Some(verdict.tone),
            ));
        }
        let mut widths = header.map(width);
        for (row, _) in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let line = |cells: [String; 6], tone: Option<Tone>| {
            let mut out = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                let padded = format!("{cell}{}", " ".repeat(w - width(cell)));
                let padded = match tone {
                    Some(tone) if i == 1 => verdict::paint(&padded, tone, self.colour),
                    _ => padded,
                };
                if i > 0 {
                    out.push_str("  ");
                }
                out.push_str(&padded);
            }
            outln!("{}", out.trim_end());
        };
        outln!();
        outln!("{}", self.l("TÓM TẮT", "SUMMARY"));
        line(header.map(String::from), None);
        line(widths.map(|w| "-".repeat(w)), None);
        for (row, tone) in rows {
            line(row, tone);
        }
        let n = self.outcomes.len();
        outln!();
        // Untrusted roots are counted apart, when there are any.
        let untrusted = if counts[5] > 0 {
            format!(", {} {}", counts[5], self.l("không tin cậy", "untrusted"))
        } else {
            String::new()
        };
        outln!(
            "{}: {n} {} — {} {}, {} {}{untrusted}, {} {}, {} {}, {} {} ({})",
            self.l("Tổng", "Total"),
            self.l("tệp", if n == 1 { "file" } else { "files" }),
            counts[0],
            self.l("hợp lệ", "valid"),
            counts[1],
            self.l("không hợp lệ", "invalid"),
            counts[2],
            self.l("chưa xác định", "indeterminate"),
            counts[3],
            self.l("không có chữ ký", "without signature"),
            counts[4],
            self.l("không đọc được", "unreadable"),
            duration(elapsed)
        );
        outln!(
            "{}: {nonconforming}",
            self.l(
                "Không đúng thể thức Nghị định 30/2020",
                "Not conforming to Decree 30/2020"
            )
        );
    }
}

/// The Decree 30/2020 verdict in a table cell: "đúng" / "KHÔNG ĐÚNG" / "" (not applicable).
fn decree30_cell(r: &Report, lang: Lang) -> String {
    use kyso::decree30::Conformity;
    let vi = lang == Lang::Vi;
    match r.decree30.status {
        Conformity::Conforming => if vi { "đúng" } else { "conforming" }.into(),
        Conformity::NotConforming => if vi {
            "KHÔNG ĐÚNG"
        } else {
            "NOT CONFORMING"
        }
        .into(),
        Conformity::NotApplicable => String::new(),
    }
}

/// `850 ms`, `2.3 s`.
pub(crate) fn duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Display width, counting characters (Vietnamese text is precomposed).
pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

/// The signing time of the file's last signature (else its last time-stamp), as clerks write
/// it: the time the document was signed, not the time the check took.
fn signing_time(o: &Outcome) -> String {
    let Ok(r) = &o.result else {
        return String::new();
    };
    r.signatures
        .iter()
        .rev()
        .find(|s| s.kind == "signature" && s.signing_time.is_some())
        .or_else(|| r.signatures.iter().rev().find(|s| s.signing_time.is_some()))
        .and_then(|s| s.signing_time.as_deref())
        .map(kyso::text::date_str)
        .unwrap_or_default()
}

/// The signers' common names (else subjects), each once, in signature order.
fn signers(r: &Report) -> String {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    for s in r.signatures.iter().filter(|s| s.kind == "signature") {
        if let Some(signer) = &s.signer {
            let name = signer
                .common_name
                .clone()
                .unwrap_or_else(|| kyso::text::name_of_dn(&signer.subject));
            if seen.insert(name.clone()) {
                names.push(name);
            }
        }
    }
    names.join(", ")
}

/// Not-allowed modifications, each counted once though several signatures list it.
fn disallowed_changes(r: &Report) -> usize {
    r.signatures
        .iter()
        .flat_map(|s| &s.modifications)
        .filter(|m| !m.allowed)
        .map(|m| serde_json::to_string(m).unwrap_or_default())
        .collect::<HashSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_exit_code() {
        assert_eq!(worst([0, 3, 4, 1]), 1);
        assert_eq!(worst([0, 3, 4]), 4);
        assert_eq!(worst([3, 0]), 3);
        assert_eq!(worst([0, 0]), 0);
        assert_eq!(worst([]), 0);
    }

    #[test]
    fn pdf_names() {
        assert!(is_pdf_name(Path::new("a/b.PDF")));
        assert!(is_pdf_name(Path::new("b.pdf")));
        assert!(!is_pdf_name(Path::new("b.pdf.txt")));
        assert!(!is_pdf_name(Path::new("pdf")));
    }
}
