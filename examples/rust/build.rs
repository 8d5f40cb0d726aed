// Links libblobgraph.so: from BLOBGRAPH_LIB_DIR if set (a build tree or an
// install prefix's lib directory), else from `pkg-config --libs blobgraph`.
// The directory also goes into the binary's rpath so it runs without
// LD_LIBRARY_PATH.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=BLOBGRAPH_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let mut dirs: Vec<String> = Vec::new();
    if let Ok(dir) = env::var("BLOBGRAPH_LIB_DIR") {
        if !dir.is_empty() {
            dirs.push(dir);
        }
    }
    if dirs.is_empty() {
        let output = Command::new("pkg-config")
            .args(["--libs-only-L", "blobgraph"])
            .output()
            .expect("build.rs: cannot run pkg-config; set BLOBGRAPH_LIB_DIR to libblobgraph.so's directory");
        if !output.status.success() {
            panic!(
                "build.rs: pkg-config does not know blobgraph ({}); install blobgraph or set BLOBGRAPH_LIB_DIR",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        for flag in text.split_whitespace() {
            if let Some(dir) = flag.strip_prefix("-L") {
                dirs.push(dir.to_string());
            }
        }
    }
    for dir in &dirs {
        println!("cargo:rustc-link-search=native={}", dir);
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
    }
    println!("cargo:rustc-link-lib=dylib=blobgraph");
}
