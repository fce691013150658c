//! One background task of a kind at a time: a flag that is raised when the task
//! starts and lowered when it ends, however it ends.
//!
//! Why: the search facets (`db::search_memo`) and the kept action counts
//! (`web::cache`) are rebuilt in the background when a request finds them old; a burst
//! of requests must start one rebuild, not one each. A flag cleared by hand at the end
//! of the task stays raised for good if the task panics or is cancelled, and nothing is
//! rebuilt again; [`Running`] clears it when dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Default)]
pub struct SingleFlight {
    running: Arc<AtomicBool>,
}

/// Proof that the task of a [`SingleFlight`] runs; dropping it ends the run.
#[derive(Debug)]
pub struct Running {
    flag: Arc<AtomicBool>,
}

impl SingleFlight {
    /// Starts a run, unless one is under way.
    pub fn try_start(&self) -> Option<Running> {
        (!self.running.swap(true, Ordering::AcqRel)).then(|| Running {
            flag: self.running.clone(),
        })
    }

    /// Whether a run is under way.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.flag.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_at_a_time_and_a_new_one_after_it_ends() {
        let flight = SingleFlight::default();
        let run = flight.try_start().expect("nothing runs yet");
        assert!(flight.is_running());
        assert!(
            flight.try_start().is_none(),
            "a second run while the first is on"
        );
        drop(run);
        assert!(!flight.is_running());
        assert!(flight.try_start().is_some());
    }

    #[tokio::test]
    async fn a_task_that_panics_ends_its_run() {
        let flight = SingleFlight::default();
        let run = flight.try_start().unwrap();
        let task = tokio::spawn(async move {
            let _run = run;
            panic!("the rebuild failed");
        });
        assert!(task.await.is_err());
        assert!(!flight.is_running(), "the flag went down with the task");
        assert!(flight.try_start().is_some());
    }
}
