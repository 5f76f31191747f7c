//! Token bucket and pair guard: the rate never exceeds the cap over any window.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: helpers outside #[test] functions"
)]

use cartpinger_core::ratelimit::{
    PairGuard, TokenBucket, DEFAULT_MPS, PAIR_BURST, PAIR_INTERVAL_MS,
};
use proptest::prelude::*;

/// Greedy sender: at each of `times` (sorted), acquires as many tokens as it can.
fn greedy(bucket: &mut TokenBucket, times: &[u64], per_tick: usize) -> Vec<u64> {
    let mut granted = Vec::new();
    for &t in times {
        for _ in 0..per_tick {
            if bucket.try_acquire(t).is_ok() {
                granted.push(t);
            }
        }
    }
    granted
}

/// Largest number of grants in any half-open window `[a, a + len)`.
fn max_in_window(granted: &[u64], len: u64) -> usize {
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..granted.len() {
        while granted[hi] - granted[lo] >= len {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

#[test]
fn default_is_80_per_second_evenly_paced() {
    let mut b = TokenBucket::default();
    assert_eq!(b.rate_per_sec(), u64::from(DEFAULT_MPS));
    assert_eq!(b.burst(), 1);
    assert_eq!(b.try_acquire(0), Ok(()));
    // 80 mps = one per 12.5 ms.
    assert_eq!(b.try_acquire(0), Err(13));
    assert_eq!(b.try_acquire(12), Err(1));
    assert_eq!(b.try_acquire(13), Ok(()));
    let times: Vec<u64> = (0..10_000).collect();
    let mut b = TokenBucket::default();
    let granted = greedy(&mut b, &times, 3);
    assert_eq!(max_in_window(&granted, 1_000), 80);
    assert_eq!(granted.len(), 800);
}

#[test]
fn configurable_up_to_1000() {
    let mut b = TokenBucket::per_second(1000);
    let times: Vec<u64> = (0..3_000).collect();
    let granted = greedy(&mut b, &times, 5);
    assert_eq!(max_in_window(&granted, 1_000), 1000);
    assert_eq!(TokenBucket::per_second(5000).rate_per_sec(), 1000);
    assert_eq!(TokenBucket::per_second(0).rate_per_sec(), 1);
}

#[test]
fn time_going_backwards_grants_nothing_extra() {
    let mut b = TokenBucket::per_second(10);
    assert!(b.try_acquire(1_000).is_ok());
    assert!(b.try_acquire(500).is_err());
    assert!(b.try_acquire(1_099).is_err());
    assert!(b.try_acquire(1_100).is_ok());
}

#[test]
fn pause_after_130429() {
    let mut b = TokenBucket::per_second(80);
    b.pause_until(0, 5_000);
    let wait = b.try_acquire(1_000).unwrap_err();
    assert_eq!(wait, 4_000 + 13);
    assert!(b.try_acquire(5_012).is_err());
    assert!(b.try_acquire(5_013).is_ok());
}

#[test]
fn pair_guard_defaults() {
    assert_eq!((PAIR_INTERVAL_MS, PAIR_BURST), (6_000, 2));
    let mut g = PairGuard::default();
    let a = "+34612345678";
    assert!(g.try_acquire(a, 0).is_ok());
    assert!(g.try_acquire(a, 10).is_ok()); // burst of 2
                                           // Credit refills from the first message on: 20 ms accrued, 5,980 ms to go.
    assert_eq!(g.try_acquire(a, 20), Err(5_980));
    // Others are unaffected.
    assert!(g.try_acquire("+4915112345678", 20).is_ok());
    assert!(g.try_acquire(a, 5_999).is_err());
    assert!(g.try_acquire(a, 6_000).is_ok());
    assert_eq!(g.try_acquire(a, 6_001), Err(5_999));
}

#[test]
fn pair_guard_penalty_grows_as_four_to_the_x() {
    let mut g = PairGuard::default();
    let a = "+34612345678";
    assert_eq!(g.penalize(a, 0), 6_000); // max(6 s, 4^0 s)
    assert_eq!(g.try_acquire(a, 1_000), Err(5_000));
    assert_eq!(g.penalize(a, 10_000), 16_000); // 6 s floor vs 4^1 = 4 s
    assert_eq!(g.penalize(a, 20_000), 36_000); // 4^2 = 16 s
    assert_eq!(g.penalize(a, 40_000), 104_000); // 4^3 = 64 s
    assert!(g.try_acquire(a, 103_999).is_err());
    assert!(g.try_acquire(a, 110_000).is_ok());
    g.record_success(a);
    assert_eq!(g.penalize(a, 200_000), 206_000);
}

#[test]
fn pair_guard_prunes_idle_recipients() {
    let mut g = PairGuard::default();
    for i in 0..100 {
        g.try_acquire(&format!("+3461234{i:04}"), 0).unwrap();
    }
    g.penalize("+34600000000", 0);
    assert_eq!(g.tracked(), 101);
    g.prune(5_999);
    assert_eq!(g.tracked(), 101);
    g.prune(6_000);
    assert_eq!(g.tracked(), 1); // the penalised one is still blocked
    g.prune(1_000_000);
    assert_eq!(g.tracked(), 0);
}

proptest! {
    /// Over any window of T ms, at most burst + (rate·T − 1)/1000 acquisitions succeed; with
    /// burst 1, at most `rate` per any 1,000 ms window.
    #[test]
    fn bucket_never_exceeds_its_cap(
        rate in 1u32..=1000,
        burst in 1u32..20,
        mut times in proptest::collection::vec(0u64..20_000, 1..400),
        per_tick in 1usize..6,
        window in 1u64..5_000,
    ) {
        times.sort_unstable();
        let mut b = TokenBucket::with_burst(rate, burst);
        let granted = greedy(&mut b, &times, per_tick);
        let bound = u64::from(burst) + (u64::from(rate) * window - 1) / 1000;
        prop_assert!(max_in_window(&granted, window) as u64 <= bound);

        let mut b = TokenBucket::per_second(rate);
        let granted = greedy(&mut b, &times, per_tick);
        prop_assert!(max_in_window(&granted, 1_000) as u64 <= u64::from(rate));
    }

    /// Waiting exactly the returned time always succeeds (no busy loops, no starvation).
    #[test]
    fn waiting_the_hint_succeeds(rate in 1u32..=1000, burst in 1u32..5, start in 0u64..1_000_000) {
        let mut b = TokenBucket::with_burst(rate, burst);
        let mut now = start;
        for _ in 0..50 {
            match b.try_acquire(now) {
                Ok(()) => {}
                Err(w) => {
                    prop_assert!(w >= 1);
                    now += w;
                    prop_assert!(b.try_acquire(now).is_ok());
                }
            }
        }
    }

    /// Per recipient: at most burst + (T−1)/interval messages in any window of T ms.
    #[test]
    fn pair_guard_never_exceeds_its_cap(
        interval in 1u64..10_000,
        burst in 1u32..5,
        mut times in proptest::collection::vec(0u64..100_000, 1..300),
        window in 1u64..60_000,
    ) {
        times.sort_unstable();
        let mut g = PairGuard::new(interval, burst);
        let mut granted = Vec::new();
        for &t in &times {
            if g.try_acquire("+34612345678", t).is_ok() {
                granted.push(t);
            }
            let _ = g.try_acquire("+4915112345678", t);
        }
        let bound = u64::from(burst) + (window - 1) / interval;
        prop_assert!(max_in_window(&granted, window) as u64 <= bound);
    }
}
