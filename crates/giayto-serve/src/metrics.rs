//! Counters for `/metrics`, in the Prometheus text exposition format (version 0.0.4).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, microseconds.
const BUCKETS_US: [u64; 12] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
];

/// Verifications by verdict, refused requests by code, and the latency of verifications.
#[derive(Debug, Default)]
pub struct Metrics {
    verdicts: Mutex<BTreeMap<&'static str, u64>>,
    refused: Mutex<BTreeMap<&'static str, u64>>,
    /// Counts per bucket (not cumulative; summed when shown), the last one +Inf.
    buckets: [AtomicU64; BUCKETS_US.len() + 1],
    sum_us: AtomicU64,
    count: AtomicU64,
}

fn bump(map: &Mutex<BTreeMap<&'static str, u64>>, key: &'static str) {
    // A poisoned lock still holds good counts (nothing panics while holding it).
    let mut map = map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    *map.entry(key).or_insert(0) += 1;
}

fn snapshot(map: &Mutex<BTreeMap<&'static str, u64>>) -> BTreeMap<&'static str, u64> {
    map.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// A label value with `\`, `"` and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// One verification done, with its verdict and how long it took.
    pub fn verified(&self, verdict: &'static str, took: Duration) {
        bump(&self.verdicts, verdict);
        let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        let slot = BUCKETS_US
            .iter()
            .position(|&b| us <= b)
            .unwrap_or(BUCKETS_US.len());
        if let Some(b) = self.buckets.get(slot) {
            b.fetch_add(1, Ordering::Relaxed);
        }
        self.sum_us.fetch_add(us, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// One request refused, with its error code.
    pub fn refused(&self, code: &'static str) {
        bump(&self.refused, code);
    }

    /// Verifications done with this verdict so far.
    pub fn verdict_count(&self, verdict: &str) -> u64 {
        snapshot(&self.verdicts).get(verdict).copied().unwrap_or(0)
    }

    /// The text for `/metrics`, with the trust list's age and sequence and each status list's
    /// age (seconds, as of now).
    pub fn render(&self, trust_age: i64, trust_sequence: u64, lists: &[(String, i64)]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP giayto_verifications_total Verifications made, by verdict.\n\
             # TYPE giayto_verifications_total counter"
        );
        for (verdict, n) in snapshot(&self.verdicts) {
            let _ = writeln!(
                out,
                "giayto_verifications_total{{verdict=\"{verdict}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP giayto_requests_refused_total Requests refused before a verdict, by error code.\n\
             # TYPE giayto_requests_refused_total counter"
        );
        for (code, n) in snapshot(&self.refused) {
            let _ = writeln!(out, "giayto_requests_refused_total{{code=\"{code}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP giayto_verify_duration_seconds Time to answer a verification request.\n\
             # TYPE giayto_verify_duration_seconds histogram"
        );
        let mut cumulative = 0u64;
        for (i, b) in self.buckets.iter().enumerate() {
            cumulative += b.load(Ordering::Relaxed);
            let le = match BUCKETS_US.get(i) {
                Some(us) => format!("{}", *us as f64 / 1e6),
                None => "+Inf".to_owned(),
            };
            let _ = writeln!(
                out,
                "giayto_verify_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "giayto_verify_duration_seconds_sum {}\ngiayto_verify_duration_seconds_count {}",
            self.sum_us.load(Ordering::Relaxed) as f64 / 1e6,
            self.count.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP giayto_trust_list_age_seconds Seconds since the trust list in use was signed.\n\
             # TYPE giayto_trust_list_age_seconds gauge\n\
             giayto_trust_list_age_seconds {trust_age}\n\
             # HELP giayto_trust_list_sequence Sequence number of the trust list in use.\n\
             # TYPE giayto_trust_list_sequence gauge\n\
             giayto_trust_list_sequence {trust_sequence}\n\
             # HELP giayto_status_list_age_seconds Seconds since each status list in use was signed.\n\
             # TYPE giayto_status_list_age_seconds gauge"
        );
        for (uri, age) in lists {
            let _ = writeln!(
                out,
                "giayto_status_list_age_seconds{{uri=\"{}\"}} {age}",
                label(uri)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_add_up() {
        let m = Metrics::default();
        m.verified("valid", Duration::from_micros(50));
        m.verified("valid", Duration::from_micros(700));
        m.verified("revoked", Duration::from_secs(5));
        m.refused("bad_json");
        let text = m.render(10, 3, &[("https://x/\"a\"".into(), 7)]);
        assert!(text.contains("giayto_verifications_total{verdict=\"valid\"} 2\n"));
        assert!(text.contains("giayto_verifications_total{verdict=\"revoked\"} 1\n"));
        assert!(text.contains("giayto_requests_refused_total{code=\"bad_json\"} 1\n"));
        assert!(text.contains("giayto_verify_duration_seconds_bucket{le=\"0.0001\"} 1\n"));
        assert!(text.contains("giayto_verify_duration_seconds_bucket{le=\"0.001\"} 2\n"));
        assert!(text.contains("giayto_verify_duration_seconds_bucket{le=\"1\"} 2\n"));
        assert!(text.contains("giayto_verify_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("giayto_verify_duration_seconds_count 3\n"));
        assert!(text.contains("giayto_trust_list_age_seconds 10\n"));
        assert!(text.contains("giayto_status_list_age_seconds{uri=\"https://x/\\\"a\\\"\"} 7\n"));
        assert_eq!(m.verdict_count("valid"), 2);
        assert_eq!(m.verdict_count("expired"), 0);
    }
}
