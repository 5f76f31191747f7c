//! `CartPinger\Native\Phone`: E.164 normalisation (libphonenumber metadata).

use cartpinger_core::{phone as core_phone, PhoneError};
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;

use crate::errors;
use crate::guard::guard;

/// Phone number normalisation.
#[php_class]
#[php(name = "CartPinger\\Native\\Phone")]
#[php(flags = ClassFlags::Final)]
pub struct Phone;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Phone {
    /// E.164 ("+34612345678") from what the shopper typed and the ISO 3166-1 alpha-2 billing
    /// country ("" when unknown). A national number is never made international by prefixing
    /// "+".
    ///
    /// @throws \CartPinger\Native\Exception\InvalidPhoneException 2001-2007
    // Named explicitly: the snake_case renamer would turn `to_e164` into `to_e_164`.
    #[php(name = "to_e164")]
    pub fn to_e164(input: BinarySlice<'_, u8>, country: BinarySlice<'_, u8>) -> PhpResult<String> {
        guard(|| {
            // Binary-safe parameters: bytes that are not UTF-8 are "not a number", not a TypeError.
            let input =
                std::str::from_utf8(&input).map_err(|_| errors::core(PhoneError::NotANumber))?;
            let country = std::str::from_utf8(&country)
                .map_err(|_| errors::core(PhoneError::InvalidCountry))?;
            core_phone::to_e164(input, country).map_err(errors::core)
        })
    }

    /// ISO country of an E.164 number ("ES"), "" when the number is shared/unknown/invalid.
    pub fn region_of(e164: BinarySlice<'_, u8>) -> PhpResult<String> {
        guard(|| {
            Ok(std::str::from_utf8(&e164)
                .ok()
                .and_then(core_phone::region_of)
                .unwrap_or_default())
        })
    }
}
