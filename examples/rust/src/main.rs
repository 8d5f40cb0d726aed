//! A runtime's view of blobgraph from Rust, through the C API only; the same
//! program as examples/c/replay.c (see there for the protocol) and the same
//! output, so the tests can compare the two.
//!
//! Usage: blobgraph-replay --store DIR [--deps FILE] [--train FILE] --test FILE
//!        [--depth D] [--top N] [--min-prob P] [--max M] [--start-set K]

mod ffi;

use ffi::*;
use std::collections::{HashMap, HashSet};
use std::ffi::{CStr, CString};
use std::process::exit;
use std::ptr;
use std::time::Instant;

const MAX_PREFETCH: usize = 256;

fn check(status: blobgraph_status, what: &str) {
    if status != BLOBGRAPH_OK {
        // SAFETY: both return pointers to NUL-terminated strings owned by the library.
        let (name, message) = unsafe {
            (
                CStr::from_ptr(blobgraph_status_name(status)).to_string_lossy(),
                CStr::from_ptr(blobgraph_last_error()).to_string_lossy(),
            )
        };
        eprintln!("replay: {}: {}: {}", what, name, message);
        exit(1);
    }
}

fn c_path(path: &str) -> CString {
    CString::new(path).unwrap_or_else(|_| {
        eprintln!("replay: {}: path contains a NUL byte", path);
        exit(2)
    })
}

/// Reads a binary trace: 64-byte records, caller hash then callee hash.
fn read_trace(path: &str) -> Vec<(blobgraph_hash, blobgraph_hash)> {
    let data = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("replay: {}: cannot open: {}", path, e);
        exit(1)
    });
    if data.len() % 64 != 0 {
        eprintln!("replay: {}: offset {}: truncated record ({} of 64 bytes)", path,
                  data.len() - data.len() % 64, data.len() % 64);
        exit(1);
    }
    data.chunks_exact(64)
        .map(|record| {
            let mut caller = blobgraph_hash::default();
            let mut callee = blobgraph_hash::default();
            caller.bytes.copy_from_slice(&record[..32]);
            callee.bytes.copy_from_slice(&record[32..]);
            (caller, callee)
        })
        .collect()
}

fn train(store_path: &str, deps: Option<&str>, train_trace: Option<&str>) {
    let path = c_path(store_path);
    let mut store: *mut blobgraph_store = ptr::null_mut();
    // SAFETY (all calls below): pointers are to live locals or CStrings; handles
    // come from the library and are closed exactly once.
    unsafe {
        check(blobgraph_store_open(path.as_ptr(), ptr::null(), &mut store), "open store");
        if let Some(deps) = deps {
            let deps_path = c_path(deps);
            let mut edges: u64 = 0;
            check(blobgraph_import_dependencies(store, deps_path.as_ptr(), &mut edges),
                  "import dependencies");
            println!("imported            {} call sites", edges);
        }
        if let Some(trace) = train_trace {
            let mut options = blobgraph_engine_options::default();
            check(blobgraph_engine_options_init(&mut options), "engine options");
            options.refresh_interval_ms = 0;
            let mut engine: *mut blobgraph_engine = ptr::null_mut();
            check(blobgraph_engine_open(store, &options, &mut engine), "open engine");
            let events = read_trace(trace);
            let mut loaded: HashSet<blobgraph_hash> = HashSet::new();
            for (caller, callee) in &events {
                check(blobgraph_record_call(engine, caller, callee), "record call");
                if loaded.insert(*callee) {
                    check(blobgraph_on_load(engine, callee), "on load");
                }
            }
            check(blobgraph_engine_close(engine), "close engine");
            println!("trained             {} events", events.len());
        }
        check(blobgraph_store_close(store), "close store");
    }
}

#[derive(Default)]
struct Report {
    events: u64,
    cold: u64,
    covered: u64,
    stalls: u64,
    prefetched: u64,
    wasted: u64,
    start_set: u64,
    lead_sum: f64,
    engine_ns: f64,
}

fn issue(prefetched: &mut HashMap<blobgraph_hash, i64>, loaded: &HashSet<blobgraph_hash>,
         event: i64, hash: &blobgraph_hash, report: &mut Report) {
    if loaded.contains(hash) || prefetched.contains_key(hash) {
        return;
    }
    prefetched.insert(*hash, event);
    report.prefetched += 1;
}

fn replay(store_path: &str, test_trace: &str, prefetch: &blobgraph_prefetch_options, start_set: usize) {
    let path = c_path(store_path);
    let events = read_trace(test_trace);
    let mut r = Report::default();
    let mut prefetched: HashMap<blobgraph_hash, i64> = HashMap::new();
    let mut loaded: HashSet<blobgraph_hash> = HashSet::new();
    // SAFETY: as in train(); output arrays have the capacity passed with them.
    unsafe {
        let mut store_options = blobgraph_store_options::default();
        check(blobgraph_store_options_init(&mut store_options), "store options");
        store_options.read_only = 1;
        store_options.create_if_missing = 0;
        let mut store: *mut blobgraph_store = ptr::null_mut();
        check(blobgraph_store_open(path.as_ptr(), &store_options, &mut store), "open store read-only");
        let mut options = blobgraph_engine_options::default();
        check(blobgraph_engine_options_init(&mut options), "engine options");
        options.refresh_interval_ms = 0;
        options.flush_interval_ms = 0;
        options.prefetch = *prefetch;
        let mut engine: *mut blobgraph_engine = ptr::null_mut();
        check(blobgraph_engine_open(store, &options, &mut engine), "open engine");

        if start_set > 0 {
            let mut start = vec![blobgraph_hash::default(); start_set];
            let mut n: usize = 0;
            check(blobgraph_start_set(engine, start_set, start.as_mut_ptr(), &mut n), "start set");
            for hash in &start[..n] {
                issue(&mut prefetched, &loaded, -1, hash, &mut r);
            }
            r.start_set = n as u64;
        }

        let mut predicted = [blobgraph_hash::default(); MAX_PREFETCH];
        for (i, (_caller, f)) in events.iter().enumerate() {
            let event = i as i64;
            r.events += 1;
            if loaded.insert(*f) {
                r.cold += 1;
                match prefetched.get(f) {
                    Some(at) => {
                        r.covered += 1;
                        r.lead_sum += (event - at) as f64;
                    }
                    None => r.stalls += 1,
                }
                check(blobgraph_on_load(engine, f), "on load");
            }
            let mut n: usize = 0;
            let begin = Instant::now();
            let status = blobgraph_prefetch(engine, f, ptr::null(), predicted.as_mut_ptr(),
                                            ptr::null_mut(), MAX_PREFETCH, &mut n);
            r.engine_ns += begin.elapsed().as_nanos() as f64;
            check(status, "prefetch");
            for hash in &predicted[..n] {
                issue(&mut prefetched, &loaded, event, hash, &mut r);
            }
        }
        // Read-only store: the engine writes nothing back.
        check(blobgraph_engine_close(engine), "close engine");
        check(blobgraph_store_close(store), "close store");
    }
    r.wasted = prefetched.keys().filter(|h| !loaded.contains(*h)).count() as u64;

    let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
    println!("settings            depth {}, top {}, min-prob {}, max {}, start-set {}",
             prefetch.max_depth, prefetch.top_n, prefetch.min_probability, prefetch.max_results,
             start_set);
    println!("events              {}", r.events);
    println!("distinct functions  {}", loaded.len());
    println!("cold loads          {}", r.cold);
    println!("covered             {}", r.covered);
    println!("stalls              {}", r.stalls);
    println!("coverage            {:.6}", ratio(r.covered, r.cold));
    println!("prefetched          {}", r.prefetched);
    println!("start set issued    {}", r.start_set);
    println!("wasted              {}", r.wasted);
    println!("waste               {:.6}", ratio(r.wasted, r.prefetched));
    println!("mean lead           {:.3}", if r.covered > 0 { r.lead_sum / r.covered as f64 } else { 0.0 });
    println!("engine ns/event     {:.1}", if r.events > 0 { r.engine_ns / r.events as f64 } else { 0.0 });
}

fn usage() -> ! {
    eprintln!("usage: blobgraph-replay --store DIR [--deps FILE] [--train FILE] --test FILE");
    eprintln!("                        [--depth D] [--top N] [--min-prob P] [--max M] [--start-set K]");
    exit(2)
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> T {
    value.parse().unwrap_or_else(|_| {
        eprintln!("replay: {}: not a number: {}", flag, value);
        exit(2)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut store, mut deps, mut train_trace, mut test_trace) = (None, None, None, None);
    let mut start_set: usize = 16; // `blobgraph replay`'s default
    let mut prefetch = blobgraph_prefetch_options::default();
    // SAFETY: a live local struct.
    check(unsafe { blobgraph_prefetch_options_init(&mut prefetch) }, "prefetch options");
    if args.len() % 2 != 0 {
        usage();
    }
    for pair in args.chunks(2) {
        let (flag, value) = (pair[0].as_str(), pair[1].as_str());
        match flag {
            "--store" => store = Some(value.to_string()),
            "--deps" => deps = Some(value.to_string()),
            "--train" => train_trace = Some(value.to_string()),
            "--test" => test_trace = Some(value.to_string()),
            "--depth" => prefetch.max_depth = number(flag, value),
            "--top" => prefetch.top_n = number(flag, value),
            "--min-prob" => prefetch.min_probability = number(flag, value),
            "--max" => prefetch.max_results = number(flag, value),
            "--start-set" => start_set = number(flag, value),
            _ => usage(),
        }
    }
    let (store, test_trace) = match (store, test_trace) {
        (Some(s), Some(t)) => (s, t),
        _ => usage(),
    };
    // SAFETY: a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(blobgraph_version()) }.to_string_lossy().into_owned();
    println!("blobgraph           {}", version);
    train(&store, deps.as_deref(), train_trace.as_deref());
    replay(&store, &test_trace, &prefetch, start_set);
}
