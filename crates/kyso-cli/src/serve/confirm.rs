//! `kyso serve --confirm`: before each signature, the service shows the document on its own
//! terminal and asks y/N. The question goes to, and the answer comes from, the controlling
//! terminal (/dev/tty), never stdin: a service started from a script has no one to ask, so it
//! refuses. Silence until the timeout is a refusal; so is anything but yes.

use std::time::Duration;

/// What the person at the terminal said.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    TimedOut,
    /// No terminal to ask on (the reason).
    NoTerminal(String),
}

/// Whether `line` is a yes: y, yes, c, có (Vietnamese), any case.
fn is_yes(line: &str) -> bool {
    let a = line.trim().to_lowercase();
    matches!(a.as_str(), "y" | "yes" | "c" | "có" | "co")
}

/// Asks `question` on the controlling terminal; waits at most `timeout` for a line.
#[cfg(unix)]
pub fn ask(question: &str, timeout: Duration) -> Answer {
    use std::io::{Read, Write};
    use std::time::Instant;

    let mut tty = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    {
        Ok(t) => t,
        Err(e) => return Answer::NoTerminal(format!("no terminal to ask on (/dev/tty: {e})")),
    };
    // Keys typed before the question must not answer it.
    if rustix::termios::tcflush(&tty, rustix::termios::QueueSelector::IFlush).is_err() {
        return Answer::NoTerminal("/dev/tty is not a terminal".into());
    }
    if tty.write_all(question.as_bytes()).is_err() || tty.flush().is_err() {
        return Answer::NoTerminal("cannot write to the terminal".into());
    }
    let deadline = Instant::now() + timeout;
    let mut line = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let _ = tty.write_all("\n(không trả lời / no answer: refused)\n".as_bytes());
            return Answer::TimedOut;
        }
        let wait = rustix::event::Timespec {
            tv_sec: left.as_secs() as _,
            tv_nsec: left.subsec_nanos() as _,
        };
        let mut fds = [rustix::event::PollFd::new(
            &tty,
            rustix::event::PollFlags::IN,
        )];
        match rustix::event::poll(&mut fds, Some(&wait)) {
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return Answer::NoTerminal("cannot read the terminal".into()),
            Ok(0) => continue, // the deadline check above ends it
            Ok(_) => {}
        }
        let mut buf = [0u8; 64];
        match tty.read(&mut buf) {
            Ok(0) => return Answer::No, // the terminal went away
            Ok(k) => {
                line.extend_from_slice(&buf[..k]);
                if let Some(end) = line.iter().position(|&b| b == b'\n' || b == b'\r') {
                    return if is_yes(&String::from_utf8_lossy(&line[..end])) {
                        Answer::Yes
                    } else {
                        Answer::No
                    };
                }
                if line.len() > 256 {
                    return Answer::No;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Answer::NoTerminal("cannot read the terminal".into()),
        }
    }
}

/// TODO(#17 item 1, Windows): ask on the console (CONIN$/CONOUT$) or through a toast
/// notification. Until then a confirmation cannot be given, so nothing is signed.
#[cfg(not(unix))]
pub fn ask(_question: &str, _timeout: Duration) -> Answer {
    Answer::NoTerminal("confirmation on this system is not available yet".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_words() {
        for y in ["y", "Y", "yes\n", " có ", "C"] {
            assert!(is_yes(y), "{y}");
        }
        for n in ["", "n", "no", "yy", "ok", "không"] {
            assert!(!is_yes(n), "{n}");
        }
    }
}
