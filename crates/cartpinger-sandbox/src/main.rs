//! The `cartpinger-sandbox` binary: see the library docs and `docs/engine.md`.
#![forbid(unsafe_code)]

use std::io::Write as _;

fn main() {
    let config = match cartpinger_sandbox::Config::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = cartpinger_sandbox::run(config) {
        let _ = writeln!(std::io::stderr(), "cartpinger-sandbox: {e}");
        std::process::exit(1);
    }
}
