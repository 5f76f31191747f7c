//! Phone normalisation over the public API, with real numbers (libphonenumber example numbers).
#![allow(clippy::unwrap_used, reason = "test code")]

use cartpinger_core::phone::{region_of, to_e164};
use cartpinger_core::PhoneError;

#[track_caller]
fn ok(input: &str, country: &str, expected: &str) {
    assert_eq!(
        to_e164(input, country),
        Ok(expected.to_owned()),
        "{input:?} in {country:?}"
    );
}

#[track_caller]
fn err(input: &str, country: &str, expected: PhoneError) {
    assert_eq!(
        to_e164(input, country),
        Err(expected),
        "{input:?} in {country:?}"
    );
}

#[test]
fn national_numbers_in_their_billing_country() {
    ok("612 345 678", "ES", "+34612345678");
    ok("07400 123456", "GB", "+447400123456");
    ok("(11) 91234-5678", "BR", "+5511912345678"); // São Paulo mobile
    ok("(201) 555-0123", "US", "+12015550123");
    ok("030 1234567", "DE", "+49301234567");
    ok("01511 2345678", "DE", "+4915112345678");
    ok("06 12 34 56 78", "FR", "+33612345678");
    ok("612.345.678", "es", "+34612345678"); // lowercase country, dots
    ok("  612-345-678  ", " ES ", "+34612345678");
}

#[test]
fn international_numbers() {
    ok("0049 30 1234567", "", "+49301234567");
    ok("0049 30 1234567", "ES", "+49301234567"); // billing country does not matter
    ok("+34 612 345 678", "", "+34612345678");
    ok("+44 7400 123456", "US", "+447400123456");
    ok("+1 (201) 555-0123", "GB", "+12015550123");
    ok("+34612345678", "", "+34612345678");
}

#[test]
fn national_number_without_country_is_not_guessed() {
    // "612345678" with a "+" in front would be an Australian number (+61 2 …): never do that.
    err("612345678", "", PhoneError::NoCountry);
    err("07400 123456", "", PhoneError::NoCountry);
    err("612345678", "   ", PhoneError::NoCountry);
}

#[test]
fn foreign_national_number_in_wrong_country_is_an_error() {
    // A German national number typed with a US billing address: must not become +1…, +49… or
    // +61…; it is simply not a US number.
    for input in ["030 1234567", "0301234567", "01511 2345678", "4930 1234567"] {
        let got = to_e164(input, "US");
        assert!(got.is_err(), "{input:?} in US gave {got:?}");
    }
    err("030 1234567", "US", PhoneError::NotValidForRegion);
}

#[test]
fn rejections_with_reasons() {
    err("", "ES", PhoneError::Empty);
    err("   \t ", "ES", PhoneError::Empty);
    err("612345678", "XX", PhoneError::InvalidCountry);
    err("612345678", "ESP", PhoneError::InvalidCountry);
    err("612345678", "1", PhoneError::InvalidCountry);
    err("+999 1234567", "", PhoneError::InvalidCountry);
    err("612 ABC 678", "ES", PhoneError::NotANumber);
    err("1-800-FLOWERS", "US", PhoneError::NotANumber);
    err("612345678 ext. 12", "ES", PhoneError::NotANumber);
    err("+", "ES", PhoneError::NotANumber);
    err("---", "ES", PhoneError::NotANumber);
    err("6123+45678", "ES", PhoneError::NotANumber);
    err("1", "ES", PhoneError::TooShort);
    err("12", "ES", PhoneError::TooShort);
    err("6123", "ES", PhoneError::TooShort);
    err("+34 6123", "", PhoneError::TooShort);
    err("6123456789012", "ES", PhoneError::TooLong);
    err("+34 612345678901", "", PhoneError::TooLong);
    err("1234567890123456789012", "ES", PhoneError::TooLong);
    err("999 999 999", "ES", PhoneError::NotValidForRegion);
}

#[test]
fn error_codes_match_the_contract() {
    let cases = [
        ("", "ES", 2001),
        ("612345678", "XX", 2002),
        ("abc", "ES", 2003),
        ("12", "ES", 2004),
        ("6123456789012", "ES", 2005),
        ("999 999 999", "ES", 2006),
        ("612345678", "", 2007),
    ];
    for (input, country, code) in cases {
        let e = to_e164(input, country).unwrap_err();
        assert_eq!(e.code(), code, "{input:?} {country:?}");
        assert!(
            !e.to_string().contains("612345678"),
            "message must not echo the number"
        );
    }
}

#[test]
fn regions() {
    assert_eq!(region_of("+34612345678").as_deref(), Some("ES"));
    assert_eq!(region_of("+447400123456").as_deref(), Some("GB"));
    assert_eq!(region_of("+12015550123").as_deref(), Some("US"));
    assert_eq!(region_of("+16045551234").as_deref(), Some("CA"));
    assert_eq!(region_of("+5511912345678").as_deref(), Some("BR"));
    assert_eq!(region_of("+80012345678"), None); // international freephone: shared
    assert_eq!(region_of("+3461234567"), None); // invalid
    assert_eq!(region_of("34612345678"), None); // not E.164
    assert_eq!(region_of("+34 612 345 678"), None); // not strict E.164
    assert_eq!(region_of(""), None);
    assert_eq!(region_of("+"), None);
}

#[test]
fn output_round_trips_through_international_parsing() {
    for (input, country) in [
        ("612 345 678", "ES"),
        ("07400 123456", "GB"),
        ("(201) 555-0123", "US"),
    ] {
        let e164 = to_e164(input, country).unwrap();
        assert_eq!(to_e164(&e164, "").unwrap(), e164);
        assert_eq!(region_of(&e164).as_deref(), Some(country));
    }
}
