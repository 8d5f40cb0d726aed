//! Hand-written declarations of the blobgraph C API (include/blobgraph/c.h).
//! Only what this example uses; layouts mirror the header exactly.
#![allow(non_camel_case_types, dead_code)]

use std::os::raw::{c_char, c_int};

pub const BLOBGRAPH_OK: c_int = 0;
pub const BLOBGRAPH_INVALID_INPUT: c_int = 2;

pub type blobgraph_status = c_int;

#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct blobgraph_hash {
    pub bytes: [u8; 32],
}

#[repr(C)]
pub struct blobgraph_store {
    _private: [u8; 0],
}
#[repr(C)]
pub struct blobgraph_engine {
    _private: [u8; 0],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct blobgraph_store_options {
    pub struct_size: u32,
    pub create_if_missing: c_int,
    pub read_only: c_int,
    pub sync_writes: c_int,
    pub prior_weight: f64,
    pub block_cache_bytes: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct blobgraph_prefetch_options {
    pub max_depth: u32,
    pub top_n: u32,
    pub min_probability: f64,
    pub max_results: u32,
    pub enabled: c_int,
    pub start_follow: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct blobgraph_engine_options {
    pub struct_size: u32,
    pub hot_budget_bytes: u64,
    pub refresh_interval_ms: u32,
    pub flush_interval_ms: u32,
    pub max_pending_edges: u64,
    pub waste_window: u64,
    pub tracked_functions: u64,
    pub prior_weight: f64,
    pub prefetch: blobgraph_prefetch_options,
}

extern "C" {
    pub fn blobgraph_version() -> *const c_char;
    pub fn blobgraph_status_name(status: blobgraph_status) -> *const c_char;
    pub fn blobgraph_last_error() -> *const c_char;

    pub fn blobgraph_store_options_init(options: *mut blobgraph_store_options) -> blobgraph_status;
    pub fn blobgraph_store_open(
        path: *const c_char,
        options: *const blobgraph_store_options,
        out: *mut *mut blobgraph_store,
    ) -> blobgraph_status;
    pub fn blobgraph_store_close(store: *mut blobgraph_store) -> blobgraph_status;
    pub fn blobgraph_import_dependencies(
        store: *mut blobgraph_store,
        path: *const c_char,
        edges_out: *mut u64,
    ) -> blobgraph_status;

    pub fn blobgraph_engine_options_init(options: *mut blobgraph_engine_options) -> blobgraph_status;
    pub fn blobgraph_prefetch_options_init(options: *mut blobgraph_prefetch_options) -> blobgraph_status;
    pub fn blobgraph_engine_open(
        store: *mut blobgraph_store,
        options: *const blobgraph_engine_options,
        out: *mut *mut blobgraph_engine,
    ) -> blobgraph_status;
    pub fn blobgraph_engine_close(engine: *mut blobgraph_engine) -> blobgraph_status;
    pub fn blobgraph_record_call(
        engine: *mut blobgraph_engine,
        caller: *const blobgraph_hash,
        callee: *const blobgraph_hash,
    ) -> blobgraph_status;
    pub fn blobgraph_on_load(engine: *mut blobgraph_engine, hash: *const blobgraph_hash) -> blobgraph_status;
    pub fn blobgraph_prefetch(
        engine: *mut blobgraph_engine,
        hash: *const blobgraph_hash,
        options: *const blobgraph_prefetch_options,
        out_hashes: *mut blobgraph_hash,
        out_probabilities: *mut f32,
        capacity: usize,
        count: *mut usize,
    ) -> blobgraph_status;
    pub fn blobgraph_start_set(
        engine: *mut blobgraph_engine,
        max: usize,
        out: *mut blobgraph_hash,
        count: *mut usize,
    ) -> blobgraph_status;
}
