//! Client-side rate limiting: at most `requests` sends in any window of `per`, shared by every
//! clone of a client, paused when the server answers 429.
//!
//! Each send reserves a slot under one lock: the earliest instant at which the sends already
//! reserved leave room in the window (a sliding log of the last `requests` slots), so queued
//! calls go out in the order they asked, and a bulk job paces itself instead of meeting 429s.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A limit of `requests` per `per` (e.g. 100 per minute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sends allowed in any window of `per`.
    pub requests: u32,
    /// The window.
    pub per: Duration,
}

impl RateLimit {
    /// `requests` per `per`.
    pub fn new(requests: u32, per: Duration) -> Self {
        Self { requests, per }
    }

    /// `requests` per second.
    pub fn per_second(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(1))
    }

    /// `requests` per minute.
    pub fn per_minute(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(60))
    }
}

/// The shared state of a limit.
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The last `requests` reserved slots, oldest first.
    slots: VecDeque<Instant>,
    /// No slot before this (set by a 429).
    paused_until: Option<Instant>,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit: RateLimit {
                requests: limit.requests.max(1),
                per: limit.per,
            },
            state: Mutex::new(State::default()),
        }
    }

    /// Waits for this send's slot.
    pub(crate) async fn acquire(&self) {
        let slot = self.reserve(Instant::now());
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
    }

    /// Reserves the earliest slot at or after `now` that keeps every window within the limit.
    fn reserve(&self, now: Instant) -> Instant {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut slot = now;
        if let Some(paused_until) = state.paused_until {
            slot = slot.max(paused_until);
        }
        if state.slots.len() >= self.limit.requests as usize {
            if let Some(oldest) = state.slots.pop_front() {
                slot = slot.max(oldest + self.limit.per);
            }
        }
        state.slots.push_back(slot);
        slot
    }

    /// After a 429: no send before `wait` from now (the server's `Retry-After`, or the interval
    /// between two sends at the limit's pace), never longer than `cap`.
    pub(crate) fn pause(&self, wait: Option<Duration>, cap: Duration) {
        let interval = self.limit.per / self.limit.requests;
        let until = Instant::now() + wait.unwrap_or(interval).min(cap);
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// The send instants of `calls` queued at once, in virtual time (no real waiting).
    async fn send_times(limiter: Arc<Limiter>, calls: usize) -> Vec<Instant> {
        let times = Arc::new(Mutex::new(Vec::new()));
        let tasks: Vec<_> = (0..calls)
            .map(|_| {
                let (limiter, times) = (limiter.clone(), times.clone());
                tokio::spawn(async move {
                    limiter.acquire().await;
                    times.lock().unwrap().push(Instant::now());
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let mut times = Arc::try_unwrap(times).unwrap().into_inner().unwrap();
        times.sort();
        times
    }

    #[tokio::test(start_paused = true)]
    async fn five_hundred_queued_calls_keep_to_a_hundred_a_minute() {
        let limiter = Arc::new(Limiter::new(RateLimit::per_minute(100)));
        let started = Instant::now();
        let times = send_times(limiter, 500).await;
        assert_eq!(times.len(), 500);
        // Any 101 consecutive sends span at least a minute: no window holds more than 100.
        for window in times.windows(101) {
            assert!(window[100] - window[0] >= Duration::from_secs(60));
        }
        // And the limiter wastes nothing: the first 100 go at once, the rest a window apart.
        assert_eq!(times[99], started);
        assert_eq!(times[499] - started, Duration::from_secs(4 * 60));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_every_later_send() {
        let limiter = Arc::new(Limiter::new(RateLimit::per_second(10)));
        let started = Instant::now();
        limiter.pause(Some(Duration::from_secs(5)), Duration::from_secs(30));
        let times = send_times(limiter.clone(), 3).await;
        assert!(times.iter().all(|t| *t - started >= Duration::from_secs(5)));
        // Without a Retry-After, the pause is one interval at the limit's pace (1 s / 10); the
        // retry policy's cap bounds any pause.
        let now = Instant::now();
        limiter.pause(None, Duration::from_secs(30));
        let times = send_times(limiter.clone(), 1).await;
        assert_eq!(times[0] - now, Duration::from_millis(100));
        let now = Instant::now();
        limiter.pause(Some(Duration::from_secs(3600)), Duration::from_secs(2));
        let times = send_times(limiter, 1).await;
        assert_eq!(times[0] - now, Duration::from_secs(2));
    }
}
