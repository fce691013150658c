//! The server's log writer: lines below warning are gathered and written to stderr
//! together, at most [`FLUSH_EVERY`] later; warnings and errors are written at once,
//! after whatever was gathered before them, so lines keep their order.
//!
//! Why: a server logs one line per request, and writing each as it came took a
//! system call and the stderr lock per request (with their formatting, a tenth of a
//! cached page's CPU under load).
//!
//! Invariant: nothing logged is lost on a normal exit: the [`Flusher`] that `main`
//! holds writes what is left when it is dropped.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// How long a gathered line may wait.
const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Gathered bytes past this are written at once.
const GATHER_AT_MOST: usize = 64 * 1024;

type Out = dyn Fn(&[u8]) + Send + Sync;

/// Makes the writers of a subscriber ([`buffered_stderr`]).
#[derive(Clone)]
pub struct Gathered {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    out: Box<Out>,
}

#[derive(Default)]
struct State {
    pending: Vec<u8>,
    stop: bool,
    /// No thread writes the gathered lines (it could not start, or has stopped):
    /// every line is written at once.
    direct: bool,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Writes what is gathered and stops the thread that writes it, when dropped.
pub struct Flusher {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A writer maker for stderr that gathers lines, and the guard to hold until exit.
pub fn buffered_stderr() -> (Gathered, Flusher) {
    buffered(Box::new(|bytes| {
        use std::io::Write;
        let _ = std::io::stderr().lock().write_all(bytes);
    }))
}

fn buffered(out: Box<Out>) -> (Gathered, Flusher) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        wake: Condvar::new(),
        out,
    });
    let writer = shared.clone();
    let thread = std::thread::Builder::new()
        .name("log writer".into())
        .spawn(move || {
            let mut state = writer.lock();
            loop {
                if !state.pending.is_empty() {
                    (writer.out)(&state.pending);
                    state.pending.clear();
                }
                if state.stop {
                    return;
                }
                state = writer
                    .wake
                    .wait_timeout(state, FLUSH_EVERY)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        })
        .ok();
    shared.lock().direct = thread.is_none();
    (
        Gathered {
            shared: shared.clone(),
        },
        Flusher { shared, thread },
    )
}

impl Drop for Flusher {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.stop = true;
            // Lines logged from now on (by threads still running) are written at once.
            state.direct = true;
        }
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        // Whatever came between the thread's last write and `direct`.
        let mut state = self.shared.lock();
        if !state.pending.is_empty() {
            (self.shared.out)(&state.pending);
            state.pending.clear();
        }
    }
}

/// The writer of one event.
pub struct EventWriter<'a> {
    shared: &'a Shared,
    /// Written at once (a warning or an error).
    urgent: bool,
}

impl std::io::Write for EventWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut state = self.shared.lock();
        state.pending.extend_from_slice(bytes);
        if self.urgent || state.direct || state.pending.len() > GATHER_AT_MOST {
            (self.shared.out)(&state.pending);
            state.pending.clear();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Gathered {
    type Writer = EventWriter<'a>;

    fn make_writer(&'a self) -> EventWriter<'a> {
        EventWriter {
            shared: &self.shared,
            urgent: true,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> EventWriter<'a> {
        EventWriter {
            shared: &self.shared,
            // Levels compare by verbosity: WARN and ERROR are the least verbose.
            urgent: *meta.level() <= Level::WARN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn recording() -> (Arc<Mutex<Vec<Vec<u8>>>>, Gathered, Flusher) {
        let writes: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let sink = writes.clone();
        let (gathered, flusher) =
            buffered(Box::new(move |b| sink.lock().unwrap().push(b.to_vec())));
        (writes, gathered, flusher)
    }

    fn text(writes: &Mutex<Vec<Vec<u8>>>) -> String {
        String::from_utf8(writes.lock().unwrap().concat()).unwrap()
    }

    fn line(gathered: &Gathered, urgent: bool, s: &str) {
        EventWriter {
            shared: &gathered.shared,
            urgent,
        }
        .write_all(s.as_bytes())
        .unwrap();
    }

    #[test]
    fn lines_are_gathered_and_written_together_in_order() {
        let (writes, gathered, flusher) = recording();
        for i in 0..50 {
            line(&gathered, false, &format!("request {i}\n"));
        }
        // A warning goes out at once, after the lines gathered before it.
        line(&gathered, true, "warning\n");
        let written = writes.lock().unwrap().len();
        assert!(written < 51, "{written} writes for 51 lines");
        let expected: String = (0..50).map(|i| format!("request {i}\n")).collect();
        assert_eq!(text(&writes), format!("{expected}warning\n"));
        // A later line waits, then is written without anything else happening.
        line(&gathered, false, "later\n");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !text(&writes).ends_with("later\n") {
            assert!(std::time::Instant::now() < deadline, "never written");
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(flusher);
    }

    #[test]
    fn what_is_left_is_written_on_drop_and_lines_after_it_at_once() {
        let (writes, gathered, flusher) = recording();
        line(&gathered, false, "last request\n");
        drop(flusher);
        assert_eq!(text(&writes), "last request\n");
        line(&gathered, false, "after\n");
        assert_eq!(text(&writes), "last request\nafter\n");
    }

    #[test]
    fn a_large_batch_is_written_without_waiting() {
        let (writes, gathered, _flusher) = recording();
        let long = "x".repeat(GATHER_AT_MOST + 1);
        line(&gathered, false, &long);
        assert_eq!(text(&writes), long);
    }
}
