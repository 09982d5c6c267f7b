//! Progress of the long passes over a file (hashing a large document when signing or
//! verifying), for a front end that draws a progress bar. Nothing is reported unless a hook is
//! set; the library never prints.

use std::sync::OnceLock;

/// What is being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Signing: the input copied to the output and hashed on the way.
    SignHashing,
    /// Verifying: a signature's byte ranges hashed.
    VerifyHashing,
}

/// One step of a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A pass over `total` bytes starts.
    Started {
        /// What the pass is for.
        stage: Stage,
        /// Bytes the pass will go over.
        total: u64,
    },
    /// `done` of its bytes are processed.
    Advanced {
        /// Bytes processed so far since `Started` (not since the last event), ≤ `total`.
        done: u64,
    },
    /// The pass ended (finished or given up).
    Finished,
}

type Hook = Box<dyn Fn(Event) + Send + Sync>;

static HOOK: OnceLock<Hook> = OnceLock::new();

/// Sets the process-wide hook (once; a second call is ignored and returns false).
///
/// The hook runs on the thread doing the work, between reads: keep it short (update a
/// counter, send to a channel). Signing reports [`Stage::SignHashing`] over the input's
/// length; verification reports [`Stage::VerifyHashing`] once per signature.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use kyso::progress::{set_hook, Event, Stage};
/// use kyso::sign::{load_p12, sign_bytes, SignOptions};
///
/// let events = Arc::new(Mutex::new(Vec::new()));
/// let seen = events.clone();
/// assert!(set_hook(move |e| seen.lock().unwrap().push(e)));
///
/// let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
/// let signer = load_p12(&std::fs::read(format!("{root}pki/leader.p12"))?, "12345678")?;
/// let pdf = std::fs::read(format!("{root}docs/congvan.pdf"))?;
/// sign_bytes(&pdf, &signer, &SignOptions::default())?;
///
/// let events = events.lock().unwrap();
/// let total = pdf.len() as u64;
/// assert_eq!(events.first(), Some(&Event::Started { stage: Stage::SignHashing, total }));
/// assert!(events.contains(&Event::Advanced { done: total }));
/// assert_eq!(events.last(), Some(&Event::Finished));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn set_hook(hook: impl Fn(Event) + Send + Sync + 'static) -> bool {
    HOOK.set(Box::new(hook)).is_ok()
}

/// A pass being reported; [`Event::Finished`] is sent when it is dropped.
pub(crate) struct Pass {
    hook: Option<&'static Hook>,
    done: u64,
}

impl Pass {
    pub(crate) fn start(stage: Stage, total: u64) -> Pass {
        let hook = HOOK.get();
        if let Some(h) = hook {
            h(Event::Started { stage, total });
        }
        Pass { hook, done: 0 }
    }

    pub(crate) fn advance(&mut self, bytes: u64) {
        if let Some(h) = self.hook {
            self.done += bytes;
            h(Event::Advanced { done: self.done });
        }
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        if let Some(h) = self.hook {
            h(Event::Finished);
        }
    }
}
