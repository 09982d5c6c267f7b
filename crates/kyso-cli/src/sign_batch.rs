//! `kyso sign --batch DIR -o OUTDIR`: signs every PDF of a folder with one key, loaded (and its
//! PIN asked) once. Each file is signed into OUTDIR under the same relative path; an existing
//! output is skipped (a re-run after an interruption signs what is left) unless --overwrite
//! asks to replace it (atomically). A failure on one file is listed and the others go on; the exit
//! code is 1 when any file failed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kyso::output::Staged;
use kyso::sign::{SignOptions, SignOutcome, Signer};

use crate::batch::{duration, is_pdf_name, width};

/// Checks the batch arguments before the key is opened (no PIN asked for nothing).
pub fn check_args(batch: Option<&Path>, outdir: &Path, recursive: bool) -> Option<u8> {
    let dir = batch?;
    if !dir.is_dir() {
        let d = dir.display();
        crate::help_text::print_error(&crate::help_text::say(
            &format!("--batch {d}: không phải thư mục"),
            &format!("--batch {d}: not a folder"),
        ));
        return Some(crate::exit::USAGE);
    }
    if outdir.exists() && !outdir.is_dir() {
        let o = outdir.display();
        crate::help_text::print_error(&crate::help_text::say(
            &format!("-o {o}: không phải thư mục"),
            &format!("-o {o}: not a folder"),
        ));
        return Some(crate::exit::USAGE);
    }
    // Outputs inside the folder being walked would be signed again on the next run.
    if recursive {
        if let (Ok(d), Some(o)) = (dir.canonicalize(), resolve(outdir)) {
            if o.starts_with(&d) {
                let (o, d) = (outdir.display(), dir.display());
                crate::help_text::print_error(&crate::help_text::say(
                    &format!(
                        "-o {o} nằm trong --batch {d} (với --recursive): hãy chọn thư mục khác"
                    ),
                    &format!(
                        "-o {o} is inside --batch {d} (with --recursive): choose another folder"
                    ),
                ));
                return Some(crate::exit::USAGE);
            }
        }
    }
    None
}

/// `path` made absolute through its nearest existing ancestor (the rest need not exist yet).
fn resolve(path: &Path) -> Option<PathBuf> {
    let path = std::path::absolute(path).ok()?;
    let mut rest = Vec::new();
    let mut at = path.as_path();
    loop {
        if let Ok(real) = at.canonicalize() {
            return Some(rest.iter().rev().fold(real, |acc, part| acc.join(part)));
        }
        rest.push(at.file_name()?.to_owned());
        at = at.parent()?;
    }
}

/// The `*.pdf` files under `dir` (subfolders when `recursive`, links to folders not followed),
/// sorted, and the folders that could not be read.
fn collect(dir: &Path, recursive: bool) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        match std::fs::read_dir(&d) {
            Err(e) => errors.push((d, e.to_string())),
            Ok(entries) => {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        if recursive {
                            todo.push(path);
                        }
                    } else if is_pdf_name(&path) && path.is_file() {
                        files.push(path);
                    }
                }
            }
        }
    }
    files.sort();
    (files, errors)
}

struct Done {
    input: PathBuf,
    output: PathBuf,
    elapsed: Duration,
    /// `Ok(None)`: the output existed and was skipped.
    result: Result<Option<SignOutcome>, String>,
}

/// Signs one file into `outdir`; an existing output is skipped (`Ok(None)`) unless
/// `overwrite`. The output is left staged (see [`commit`]) for the committing thread.
fn sign_one(
    input: &Path,
    dir: &Path,
    outdir: &Path,
    signer: &dyn Signer,
    opts: &SignOptions,
    overwrite: bool,
) -> (PathBuf, Result<Option<(SignOutcome, Staged)>, String>) {
    let rel = input.strip_prefix(dir).unwrap_or(input);
    let output = outdir.join(rel);
    if !overwrite && (output.exists() || output.symlink_metadata().is_ok()) {
        return (output, Ok(None));
    }
    if let Some(parent) = output.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            let msg = format!("{}: {e}", parent.display());
            return (output, Err(msg));
        }
    }
    // B-LT/B-LTA wait on the network anyway: those are committed one by one, as `kyso sign` does.
    let result = if opts.level >= kyso::pades::PadesLevel::BLT {
        kyso::ltv::sign_file(input, &output, signer, opts, false)
            .map(|outcome| Some((outcome, Staged::committed(&output))))
    } else {
        kyso::sign::sign_file_staged(input, &output, signer, opts).map(Some)
    }
    .map_err(|e| crate::help_text::error_text(&e));
    (output, result)
}

/// Most outputs made durable by one [`kyso::output::commit_all`].
const GROUP: usize = 256;
/// How long a group waits for more outputs after its first: syncing many files at once costs
/// about as much as syncing one, so a short wait buys many documents per second.
const GATHER: Duration = Duration::from_millis(40);

/// The committing thread: takes the staged outputs as the signing threads finish them, makes
/// each group durable and puts it in place at once (all data synced, then the renames, then the
/// folders synced: see `commit_all`), and only then passes the results on. While a group is
/// synced the signing threads go on with the next files, so the disk waits overlap the signing.
fn commit(rx: mpsc::Receiver<(usize, Done, Option<Staged>)>, tx: mpsc::Sender<(usize, Done)>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        let until = Instant::now() + GATHER;
        while group.len() < GROUP {
            let left = until.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(item) => group.push(item),
                Err(_) => break, // the time is up, or every file is signed
            }
        }
        let (mut dones, mut staged, mut slots) = (Vec::new(), Vec::new(), Vec::new());
        for (i, d, s) in group {
            if let Some(s) = s {
                slots.push(dones.len());
                staged.push(s);
            }
            dones.push((i, d));
        }
        for (slot, r) in slots.into_iter().zip(kyso::output::commit_all(staged)) {
            if let Err(e) = r {
                dones[slot].1.result = Err(e.to_string());
            }
        }
        for item in dones {
            if tx.send(item).is_err() {
                return;
            }
        }
    }
}

/// Signs every PDF of `dir` into `outdir` with `workers` threads; prints a line per file, a
/// summary (or JSON) and returns the exit code.
#[allow(clippy::too_many_arguments)]
pub fn run(
    dir: &Path,
    outdir: &Path,
    recursive: bool,
    signer: &dyn Signer,
    opts: &SignOptions,
    workers: usize,
    json: bool,
    overwrite: bool,
) -> u8 {
    let started = Instant::now();
    let (files, errors) = collect(dir, recursive);
    for (d, e) in &errors {
        eprintln!("kyso: {}: {e}", d.display());
    }
    if files.is_empty() {
        eprintln!(
            "kyso: không tìm thấy tệp PDF nào trong / no PDF files in {}",
            dir.display()
        );
        return crate::exit::FAILED;
    }
    if let Err(e) = std::fs::create_dir_all(outdir) {
        return crate::fail(crate::help_text::io_text(outdir, &e));
    }
    let total = files.len();
    let workers = workers.min(total).max(1);
    // The count on a terminal, not with --quiet; no per-file bar meanwhile.
    let progress = crate::progress::bars_shown();
    crate::progress::set_file_bars(false);
    let next = AtomicUsize::new(0);
    let mut done: Vec<Done> = Vec::with_capacity(total);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Done)>();
        let (staged_tx, staged_rx) = mpsc::channel::<(usize, Done, Option<Staged>)>();
        scope.spawn(move || commit(staged_rx, tx));
        for _ in 0..workers.max(1) {
            let tx = staged_tx.clone();
            let (files, next) = (&files, &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = files.get(i) else { break };
                let t = Instant::now();
                let (output, result) = sign_one(input, dir, outdir, signer, opts, overwrite);
                let (result, staged) = match result {
                    Ok(Some((outcome, staged))) => (Ok(Some(outcome)), Some(staged)),
                    Ok(None) => (Ok(None), None),
                    Err(e) => (Err(e), None),
                };
                let d = Done {
                    input: input.clone(),
                    output,
                    elapsed: t.elapsed(),
                    result,
                };
                if tx.send((i, d, staged)).is_err() {
                    break;
                }
            });
        }
        drop(staged_tx);
        // Report in path order as soon as the files before are done.
        let mut pending = BTreeMap::new();
        for (i, d) in rx {
            pending.insert(i, d);
            while let Some(d) = pending.remove(&done.len()) {
                if progress {
                    eprint!("\r\x1b[K");
                }
                if !json {
                    match &d.result {
                        Ok(None) => {
                            outln!("Đã có, bỏ qua / exists, skipped: {}", d.output.display())
                        }
                        Ok(Some(o)) => outln!(
                            "Đã ký / signed: {} → {} ({}, {})",
                            d.input.display(),
                            d.output.display(),
                            o.signer,
                            duration(d.elapsed)
                        ),
                        Err(e) => outln!("LỖI / FAILED: {}", crate::about(&d.input, e)),
                    }
                }
                done.push(d);
            }
            if progress {
                crate::progress::draw_count(
                    "Đang ký / signing",
                    (done.len() + pending.len()) as u64,
                    total as u64,
                );
            }
        }
    });
    if progress {
        eprint!("\r\x1b[K");
    }
    let failed = done.iter().filter(|d| d.result.is_err()).count();
    if json {
        let all: Vec<_> = done
            .iter()
            .map(|d| match &d.result {
                Ok(Some(o)) => serde_json::json!({
                    "file": d.input.display().to_string(),
                    "output": d.output.display().to_string(),
                    "signed": o,
                }),
                Ok(None) => serde_json::json!({
                    "file": d.input.display().to_string(),
                    "output": d.output.display().to_string(),
                    "skipped": "exists",
                }),
                Err(e) => serde_json::json!({
                    "file": d.input.display().to_string(),
                    "error": e,
                }),
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
    } else {
        summary(&done, started.elapsed());
    }
    if failed > 0 {
        eprintln!("kyso: {failed} tệp không ký được / file(s) could not be signed");
        crate::exit::FAILED
    } else {
        crate::exit::OK
    }
}

fn summary(done: &[Done], elapsed: Duration) {
    let rows: Vec<[String; 3]> = done
        .iter()
        .map(|d| match &d.result {
            Ok(Some(_)) => [
                d.input.display().to_string(),
                "ĐÃ KÝ / SIGNED".into(),
                d.output.display().to_string(),
            ],
            Ok(None) => [
                d.input.display().to_string(),
                "BỎ QUA / SKIPPED".into(),
                format!("{} (đã có / exists)", d.output.display()),
            ],
            Err(e) => [
                d.input.display().to_string(),
                "LỖI / FAILED".into(),
                e.clone(),
            ],
        })
        .collect();
    let header = [
        "Tệp / File".to_string(),
        "Kết quả / Result".into(),
        "Tệp đã ký hoặc lỗi / Output or error".into(),
    ];
    let mut widths = header.each_ref().map(|h| width(h));
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(width(c));
        }
    }
    let line = |cells: &[String; 3]| {
        let mut out = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(c);
            out.push_str(&" ".repeat(w - width(c)));
        }
        outln!("{}", out.trim_end());
    };
    outln!();
    outln!("TÓM TẮT / SUMMARY");
    line(&header);
    line(&widths.map(|w| "-".repeat(w)));
    for r in &rows {
        line(r);
    }
    let ok = done
        .iter()
        .filter(|d| matches!(d.result, Ok(Some(_))))
        .count();
    let skipped = done.iter().filter(|d| matches!(d.result, Ok(None))).count();
    outln!();
    outln!(
        "Tổng / total: {} — {ok} đã ký / signed, {} lỗi / failed{} ({})",
        done.len(),
        done.len() - ok - skipped,
        if skipped > 0 {
            format!(", {skipped} đã có, bỏ qua / exist, skipped")
        } else {
            String::new()
        },
        duration(elapsed)
    );
}
