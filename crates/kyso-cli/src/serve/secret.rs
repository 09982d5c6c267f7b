//! The service's PIN (.p12 password or token PIN): read once at start, taken out of the
//! process environment, and wiped from memory once the key is open.
//!
//! `std::env::remove_var` alone is not enough: the C library only drops the pointer from
//! `environ`, and `/proc/<pid>/environ` shows the process's original environment block, where
//! `KYSO_PIN=…` stays for the life of the process. So the value's bytes are overwritten in place
//! first, then the variable is removed.

use std::io::IsTerminal;
use std::path::Path;

use zeroize::Zeroizing;

/// A secret string, zeroed when dropped.
pub type Pin = Zeroizing<String>;

const PIN_ENV: &str = "KYSO_PIN";

/// Takes KYSO_PIN out of the environment and returns it (None when unset or not UTF-8).
///
/// Call it first thing, before any thread starts (PKCS#11 modules may start their own):
/// changing the environment while another thread reads it is a data race in the C library,
/// which is why `remove_var` is `unsafe` from Rust 2024 on.
pub fn take_env_pin() -> Option<Pin> {
    let value = std::env::var_os(PIN_ENV)?;
    wipe_environ_value(PIN_ENV);
    // Single-threaded here (see above), so nothing reads the environment meanwhile.
    std::env::remove_var(PIN_ENV);
    value.into_string().ok().map(Zeroizing::new)
}

/// Overwrites with NULs the value of `name` in the C library's environment (the strings
/// `/proc/<pid>/environ` reads), leaving `NAME=`.
#[cfg(unix)]
#[allow(unsafe_code)] // the one exception in kyso-cli: see main.rs
fn wipe_environ_value(name: &str) {
    use std::ffi::{c_char, CStr};
    extern "C" {
        static mut environ: *const *mut c_char;
    }
    let name = name.as_bytes();
    // SAFETY: only one thread exists (see `take_env_pin`), so nothing changes `environ` under
    // us. `environ` is the C library's NULL-terminated array of NUL-terminated "NAME=value"
    // strings, in writable memory (the initial stack or the C library's allocations); only
    // bytes before each matching string's NUL are written, so every string stays terminated.
    unsafe {
        let mut entry = std::ptr::addr_of!(environ).read();
        while !entry.is_null() && !(*entry).is_null() {
            let s = *entry;
            let (len, hit) = {
                let bytes = CStr::from_ptr(s).to_bytes();
                let hit = bytes.len() > name.len()
                    && bytes.starts_with(name)
                    && bytes[name.len()] == b'=';
                (bytes.len(), hit)
            };
            if hit {
                for i in name.len() + 1..len {
                    std::ptr::write_volatile(s.add(i), 0);
                }
            }
            entry = entry.add(1);
        }
    }
}

#[cfg(not(unix))]
fn wipe_environ_value(_name: &str) {}

/// The first line of `path`, the file's text wiped after.
pub fn pin_from_file(path: &Path) -> Result<Pin, String> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
    );
    Ok(Zeroizing::new(text.lines().next().unwrap_or("").to_owned()))
}

/// Asks on the terminal (None when stdin is not one).
pub fn prompt(question: &str) -> Result<Option<Pin>, String> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    rpassword::prompt_password(question)
        .map(|p| Some(Zeroizing::new(p)))
        .map_err(|e| format!("<terminal>: {e}"))
}

/// Opens the .p12 as `kyso sign` does: the PIN given (KYSO_PIN, taken at start), else
/// `--pin-file`, else the empty password, else a prompt. Every copy of the password this
/// program makes is zeroed after use; p12-keystore's own copies are out of reach.
pub fn open_p12(
    p12: &[u8],
    env_pin: Option<&Pin>,
    pin_file: Option<&Path>,
) -> Result<kyso::sign::SoftwareIdentity, String> {
    let load = |pin: &str| kyso::sign::load_p12(p12, pin);
    // A key file without a password opens whatever PIN is given (as with `kyso sign`).
    let given = |pin: &str| match load(pin) {
        Err(kyso::Error::WrongPassword) if !pin.is_empty() => {
            load("").map_err(|_| kyso::Error::WrongPassword.to_string())
        }
        other => other.map_err(|e| e.to_string()),
    };
    if let Some(pin) = env_pin {
        return given(pin.as_str());
    }
    if let Some(path) = pin_file {
        return given(pin_from_file(path)?.as_str());
    }
    match load("") {
        Err(kyso::Error::WrongPassword) => {
            match prompt("Mật khẩu tệp khóa (.p12) / key file password: ")? {
                Some(pin) => load(&pin).map_err(|e| e.to_string()),
                None => Err(kyso::Error::WrongPassword.to_string()),
            }
        }
        other => other.map_err(|e| e.to_string()),
    }
}

/// The token PIN: the one given (KYSO_PIN), else `--pin-file`, else a prompt.
pub fn token_pin(env_pin: Option<Pin>, pin_file: Option<&Path>) -> Result<Pin, String> {
    if let Some(pin) = env_pin {
        return Ok(pin);
    }
    if let Some(path) = pin_file {
        return pin_from_file(path);
    }
    prompt("Mã PIN của token / token PIN: ")?.ok_or_else(|| {
        "no PIN given: set KYSO_PIN, use --pin-file, or run on a terminal to be asked".into()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn pin_file_first_line() {
        let dir = std::env::temp_dir().join(format!("kyso-pin-{}", std::process::id()));
        std::fs::write(&dir, "1234\nrest\n").unwrap();
        assert_eq!(super::pin_from_file(&dir).unwrap().as_str(), "1234");
        let _ = std::fs::remove_file(&dir);
    }
}
