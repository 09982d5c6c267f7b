//! Ctrl-C and SIGTERM during any command: the temporary outputs being written are removed
//! (inputs are never written to, so they are intact), a short message is printed and the
//! process ends with the shell's code for the signal (128 + its number: 130, 143).

/// Installs the handler: a thread that waits for the signal (no work in signal context).
/// Failing to install it is not fatal: the command runs as before, without the clean-up.
pub fn install() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kyso: warning: Ctrl-C handler not installed: {e}");
                return;
            }
        };
        let spawned = std::thread::Builder::new()
            .name("kyso-interrupt".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    stop(signal == SIGINT, 128 + signal);
                }
            });
        if let Err(e) = spawned {
            eprintln!("kyso: warning: Ctrl-C handler not installed: {e}");
        }
    }
    #[cfg(windows)]
    {
        // Ctrl-C / Ctrl-Break: the console's control handler (ctrlc runs it on its own thread).
        if let Err(e) = ctrlc::set_handler(|| {
            stop(true, 130);
        }) {
            eprintln!("kyso: warning: Ctrl-C handler not installed: {e}");
        }
    }
}

/// Removes the temporary files and ends the process with `code`.
fn stop(ctrl_c: bool, code: i32) -> ! {
    // Takes the registry's lock for good: nothing more is renamed into place after this.
    kyso::output::remove_temporary_files();
    // Stopped at a password prompt, the terminal would be left without echo.
    #[cfg(unix)]
    restore_echo();
    let what = if ctrl_c { "Ctrl-C" } else { "SIGTERM" };
    // A fresh line on a terminal: a progress bar may be on the current one.
    use std::io::IsTerminal;
    let clear = if std::io::stderr().is_terminal() {
        "\r\x1b[K"
    } else {
        ""
    };
    eprintln!(
        "{clear}kyso: đã dừng ({what}), không ghi tệp nào dở dang / stopped ({what}), no partial file left"
    );
    std::process::exit(code)
}

/// Turns the terminal's echo back on when a password prompt had turned it off.
#[cfg(unix)]
fn restore_echo() {
    use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
    let Ok(tty) = std::fs::File::open("/dev/tty") else {
        return;
    };
    if let Ok(mut modes) = tcgetattr(&tty) {
        if !modes.local_modes.contains(LocalModes::ECHO) {
            modes.local_modes.insert(LocalModes::ECHO);
            let _ = tcsetattr(&tty, OptionalActions::Now, &modes);
        }
    }
}
