//! `CartPinger\Native\RecoveryToken`: cart-recovery link tokens.

use cartpinger_core::token as core_token;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::errors;
use crate::guard::guard;

/// Recovery tokens: 64 hex characters in the link, only their SHA-256 stored.
#[php_class]
#[php(name = "CartPinger\\Native\\RecoveryToken")]
#[php(flags = ClassFlags::Final)]
pub struct RecoveryToken;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl RecoveryToken {
    /// `$random`: exactly 32 bytes from random_bytes(32). Returns
    /// `['token' => 64 lowercase hex, 'hash' => hex(SHA-256(token))]`.
    ///
    /// @throws \CartPinger\Native\Exception\InvalidTokenException 3001
    pub fn generate(random: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let generated = core_token::generate(&random).map_err(errors::core)?;
            let mut out = ZendHashTable::new();
            out.insert("token", generated.token)?;
            out.insert("hash", generated.hash)?;
            Ok(out)
        })
    }

    /// Hash of a token taken from a URL.
    ///
    /// @throws \CartPinger\Native\Exception\InvalidTokenException 3002 when not 64 lowercase hex.
    pub fn hash(token: BinarySlice<'_, u8>) -> PhpResult<String> {
        guard(|| core_token::hash(&token).map_err(errors::core))
    }

    /// Constant-time comparison of hash($token) with $stored_hash; false for malformed input.
    pub fn verify(token: BinarySlice<'_, u8>, stored_hash: BinarySlice<'_, u8>) -> PhpResult<bool> {
        guard(|| Ok(core_token::verify(&token, &stored_hash)))
    }
}
