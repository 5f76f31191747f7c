//! Load generator for the sandbox's throughput check: N keep-alive connections, each sending
//! `POST /v23.0/{phone-number-id}/messages` back to back for D seconds.
//!
//! ```text
//! cargo run --release -p cartpinger-sandbox --example loadgen -- http://127.0.0.1:PORT TOKEN 250 10
//! ```
//! Prints requests/s, the status histogram and latency percentiles.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

const BODY: &str = r#"{"messaging_product":"whatsapp","recipient_type":"individual","to":"+34612345678","type":"template","biz_opaque_callback_data":"load","template":{"name":"order_confirmed","language":{"code":"en","policy":"deterministic"},"components":[{"type":"body","parameters":[{"type":"text","text":"Anna"},{"type":"text","text":"1042"},{"type":"text","text":"49.90 EUR"}]}]}}"#;

#[derive(Default)]
struct Stats {
    statuses: BTreeMap<u16, u64>,
    errors: u64,
    latencies_us: Vec<u64>,
}

async fn worker(addr: String, token: String, until: Instant, stats: Arc<Mutex<Stats>>) {
    let Ok(stream) = tokio::net::TcpStream::connect(&addr).await else {
        if let Ok(mut s) = stats.lock() {
            s.errors += 1;
        }
        return;
    };
    let Ok((mut sender, conn)) =
        hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream)).await
    else {
        return;
    };
    tokio::spawn(conn);
    let mut local = Stats::default();
    while Instant::now() < until {
        let req = hyper::Request::post("/v23.0/106540352242922/messages")
            .header("host", addr.as_str())
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(BODY.as_bytes())));
        let Ok(req) = req else { break };
        let t0 = Instant::now();
        match sender.send_request(req).await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let _ = resp.into_body().collect().await;
                *local.statuses.entry(status).or_default() += 1;
                local
                    .latencies_us
                    .push(u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX));
            }
            Err(_) => {
                local.errors += 1;
                break;
            }
        }
    }
    if let Ok(mut s) = stats.lock() {
        for (k, v) in local.statuses {
            *s.statuses.entry(k).or_default() += v;
        }
        s.errors += local.errors;
        s.latencies_us.extend(local.latencies_us);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = args.first().cloned().unwrap_or_default();
    let token = args.get(1).cloned().unwrap_or_default();
    let conns: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(250);
    let secs: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        return;
    };
    let stats = Arc::new(Mutex::new(Stats::default()));
    let start = Instant::now();
    let until = start + Duration::from_secs(secs);
    rt.block_on(async {
        let mut handles = Vec::with_capacity(conns);
        for _ in 0..conns {
            handles.push(tokio::spawn(worker(
                addr.clone(),
                token.clone(),
                until,
                Arc::clone(&stats),
            )));
        }
        for h in handles {
            let _ = h.await;
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    let Ok(mut s) = stats.lock() else { return };
    s.latencies_us.sort_unstable();
    let n = s.latencies_us.len();
    let pct = |p: usize| {
        s.latencies_us
            .get((n * p / 100).min(n.saturating_sub(1)))
            .copied()
            .unwrap_or(0)
            / 1000
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{conns} connections, {elapsed:.1} s: {n} answers, {:.0} req/s; statuses {:?}; errors {}; latency ms p50 {} p99 {} max {}",
        n as f64 / elapsed,
        s.statuses,
        s.errors,
        pct(50),
        pct(99),
        pct(100)
    );
}
