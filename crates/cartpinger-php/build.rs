//! Exposes the target triple to the crate (`Extension::info()['target']`).
fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=CARTPINGER_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
