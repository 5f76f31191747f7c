//! Placeholder: the Cloud API sandbox lands with the engine milestone.
#![forbid(unsafe_code)]

fn main() {
    std::process::exit(2);
}
