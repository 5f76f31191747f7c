//! `CartPinger\Native\Vault`: AES-256-GCM envelopes for secrets stored in options.

use cartpinger_core::vault as core_vault;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::flags::{ClassFlags, DataType};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendStr, Zval};
use zeroize::Zeroizing;

use crate::errors;
use crate::guard::guard;

/// Secret bytes returned to PHP: copied straight into a `zend_string`, then wiped on the Rust
/// side (no unwiped intermediate `Vec`).
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl IntoZval for SecretBytes {
    const TYPE: DataType = DataType::String;
    const NULLABLE: bool = false;

    fn set_zval(self, zv: &mut Zval, persistent: bool) -> ext_php_rs::error::Result<()> {
        zv.set_zend_string(ZendStr::new(self.0.as_slice(), persistent));
        Ok(())
    }
}

/// Encrypts and decrypts option values with a key derived from the site's key material.
///
/// Envelope: `"cpv1." . base64url_nopad(version(1) | key id(8) | nonce(12) | ciphertext+tag)`,
/// associated data = the option name.
#[php_class]
#[php(name = "CartPinger\\Native\\Vault")]
#[php(flags = ClassFlags::Final)]
pub struct Vault {
    inner: core_vault::Vault,
}

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Vault {
    /// Derives the key from `$key_material` (CARTPINGER_ENCRYPTION_KEY or the site's salts
    /// concatenated, binary-safe, at least 16 bytes).
    ///
    /// @throws \CartPinger\Native\Exception\InvalidKeyException 1001 when too short.
    pub fn __construct(key_material: BinarySlice<'_, u8>) -> PhpResult<Self> {
        guard(|| {
            let inner = core_vault::Vault::new(&key_material).map_err(errors::core)?;
            Ok(Self { inner })
        })
    }

    /// The key id: 16 lowercase hex characters.
    pub fn key_id(&self) -> PhpResult<String> {
        guard(|| Ok(self.inner.key_id_hex()))
    }

    /// Encrypts `$plaintext` bound to `$associated_data` (the option name). `$nonce` must be
    /// exactly 12 fresh bytes from random_bytes(12). Returns the text envelope.
    ///
    /// @throws \CartPinger\Native\Exception\InvalidNonceException 1006
    pub fn encrypt(
        &self,
        plaintext: BinarySlice<'_, u8>,
        associated_data: BinarySlice<'_, u8>,
        nonce: BinarySlice<'_, u8>,
    ) -> PhpResult<String> {
        guard(|| {
            self.inner
                .encrypt(&plaintext, &associated_data, &nonce)
                .map_err(errors::core)
        })
    }

    /// Decrypts an envelope made under the same key and associated data.
    ///
    /// @throws \CartPinger\Native\Exception\VaultException 1002-1005
    pub fn decrypt(
        &self,
        envelope: BinarySlice<'_, u8>,
        associated_data: BinarySlice<'_, u8>,
    ) -> PhpResult<SecretBytes> {
        guard(|| {
            self.inner
                .decrypt(&envelope, &associated_data)
                .map(SecretBytes)
                .map_err(errors::core)
        })
    }

    /// Cheap prefix + shape check (no key needed, no decryption).
    pub fn is_envelope(value: BinarySlice<'_, u8>) -> PhpResult<bool> {
        guard(|| Ok(core_vault::is_envelope(&value)))
    }
}
