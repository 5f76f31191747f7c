//! `CartPinger\Native\Extension`: version, ABI and build facts.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::guard::guard;

/// Crate (= workspace) version, also `phpversion('cartpinger')`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// ABI of the PHP-visible API; the plugin refuses to boot unless it matches
/// `CartPinger\Plugin::REQUIRED_ABI`. Bump on any breaking change to the classes.
pub const ABI: i64 = 4;
/// Target triple this .so was built for.
pub const TARGET: &str = env!("CARTPINGER_TARGET");

/// Facts about the loaded extension.
#[php_class]
#[php(name = "CartPinger\\Native\\Extension")]
#[php(flags = ClassFlags::Final)]
pub struct Extension;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Extension {
    /// The extension version, e.g. "0.1.0".
    pub fn version() -> PhpResult<String> {
        guard(|| Ok(VERSION.to_owned()))
    }

    /// The ABI number the plugin checks (currently 4: 2 added `Scheduler`, 3 `Delivery` and
    /// `Sender::send_stream`, 4 `Platform`, routing and account webhook events).
    pub fn abi() -> PhpResult<i64> {
        guard(|| Ok(ABI))
    }

    /// Build facts for the setup doctor: ['version','abi','php_api','zts','target','features'=>[]].
    pub fn info() -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            out.insert("version", VERSION)?;
            out.insert("abi", ABI)?;
            out.insert("php_api", i64::from(ext_php_rs::ffi::ZEND_MODULE_API_NO))?;
            out.insert("zts", ext_php_rs::PHP_ZTS)?;
            out.insert("target", TARGET)?;
            out.insert("features", Vec::<String>::new())?;
            Ok(out)
        })
    }

    /// Always panics inside Rust. Exists so the panic guard is tested on the shipped binary:
    /// throws InternalException (9001) and the PHP process keeps running.
    ///
    /// @throws \CartPinger\Native\Exception\InternalException 9001
    pub fn panic_for_test(message: &str) -> PhpResult<()> {
        guard(|| {
            #[allow(clippy::panic, reason = "this method exists to test the panic guard")]
            {
                panic!("panic_for_test: {message}");
            }
        })
    }
}
