//! Phone numbers: what a shopper typed + the billing country → E.164, using the `phonenumber`
//! crate (Google libphonenumber metadata). There are no hand-written country tables here.
//!
//! Rules (see `docs/contracts.md`, `Phone::to_e164`):
//!
//! * input starting with `+` or `00` is international and parsed without a country;
//! * anything else is national and parsed in the billing country; without a billing country it
//!   is rejected with [`PhoneError::NoCountry`]: a national number is **never** made
//!   international by prefixing `+`, because `612345678` would silently become an Australian
//!   number (`+61 2345678`);
//! * only digits, spaces and the separators `- . ( ) /` are accepted (a leading `+` too);
//!   letters (vanity numbers, extensions) are [`PhoneError::NotANumber`];
//! * the result must be a valid number per the metadata, or the error says why not.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, ParseError, PhoneNumber};

use crate::error::PhoneError;

/// More digits than this can never be a phone number, even with an IDD and a trunk prefix.
const MAX_INPUT_DIGITS: usize = 20;

/// How the input announced itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `+49 …`
    Plus,
    /// `0049 …`
    DoubleZero,
    /// Anything else: national format of the billing country.
    National,
}

/// Parses an ISO 3166-1 alpha-2 country (`"es"`, `" ES "` are accepted); `""` means unknown.
fn parse_country(country: &str) -> Result<Option<Id>, PhoneError> {
    let country = country.trim();
    if country.is_empty() {
        return Ok(None);
    }
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(PhoneError::InvalidCountry);
    }
    let upper = country.to_ascii_uppercase();
    let id: Id = upper.parse().map_err(|_| PhoneError::InvalidCountry)?;
    // Only countries the metadata knows can parse national numbers.
    if DATABASE.by_id(id.as_ref()).is_none() {
        return Err(PhoneError::InvalidCountry);
    }
    Ok(Some(id))
}

/// Splits the input into its form and its digits, rejecting anything that is not a number.
fn scan(input: &str) -> Result<(Form, String), PhoneError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '\t' | '\u{a0}' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return Err(PhoneError::NotANumber),
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::NotANumber);
    }
    if digits.len() > MAX_INPUT_DIGITS {
        return Err(PhoneError::TooLong);
    }
    let form = if plus {
        Form::Plus
    } else if let Some(after) = digits.strip_prefix("00") {
        let after = after.to_owned();
        return Ok((Form::DoubleZero, after));
    } else {
        Form::National
    };
    Ok((form, digits))
}

fn map_parse_error(e: &ParseError, digits: usize) -> PhoneError {
    match e {
        ParseError::InvalidCountryCode => PhoneError::InvalidCountry,
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => PhoneError::TooShort,
        ParseError::TooLong | ParseError::MalformedInteger(_) => PhoneError::TooLong,
        // `NoNumber`: the parser found nothing viable; with digits only, that means too few.
        ParseError::NoNumber if digits < 3 => PhoneError::TooShort,
        _ => PhoneError::NotANumber,
    }
}

/// Why a parsed number is not valid: length against the region's possible lengths, else 2006.
fn classify_invalid(number: &PhoneNumber) -> PhoneError {
    let code = number.code().value();
    let meta = number.metadata(&DATABASE).or_else(|| {
        DATABASE
            .by_code(&code)
            .and_then(|metas| metas.into_iter().next())
    });
    let Some(meta) = meta else {
        return PhoneError::InvalidCountry;
    };
    let national = number.national();
    let len = usize::from(national.zeros()) + national.value().to_string().len();
    let (min, max) = possible_lengths(meta);
    match (min, max) {
        (Some(min), _) if len < usize::from(min) => PhoneError::TooShort,
        (_, Some(max)) if len > usize::from(max) => PhoneError::TooLong,
        _ => PhoneError::NotValidForRegion,
    }
}

/// Shortest and longest national significant number of a region: the general descriptor's
/// possible lengths, or (as this metadata often leaves those empty) the union over all number
/// types.
fn possible_lengths(meta: &phonenumber::Metadata) -> (Option<u16>, Option<u16>) {
    let d = meta.descriptors();
    let general = d.general().possible_length();
    let lengths: Vec<u16> = if general.is_empty() {
        [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .flat_map(|desc| desc.possible_length().iter().copied())
        .collect()
    } else {
        general.to_vec()
    };
    (lengths.iter().copied().min(), lengths.iter().copied().max())
}

/// Normalises what a shopper typed to E.164 (`"+34612345678"`).
///
/// `country` is the ISO 3166-1 alpha-2 billing country, or `""` when unknown.
///
/// # Errors
///
/// A [`PhoneError`] naming the reason (codes 2001–2007).
pub fn to_e164(input: &str, country: &str) -> Result<String, PhoneError> {
    let (form, digits) = scan(input)?;
    let country = parse_country(country)?;
    let parsed = match form {
        Form::Plus | Form::DoubleZero => phonenumber::parse(None, format!("+{digits}")),
        Form::National => {
            let Some(id) = country else {
                return Err(PhoneError::NoCountry);
            };
            phonenumber::parse(Some(id), &digits)
        }
    }
    .map_err(|e| map_parse_error(&e, digits.len()))?;

    if !phonenumber::is_valid(&parsed) {
        return Err(classify_invalid(&parsed));
    }
    Ok(parsed.format().mode(Mode::E164).to_string())
}

/// ISO 3166-1 alpha-2 region of an E.164 number (`"+34612345678"` → `Some("ES")`).
///
/// `None` when the input is not strict E.164 (`+` and 2–15 digits), when the number is not
/// valid, or when its calling code is shared by no single region (e.g. `+800`).
#[must_use]
pub fn region_of(e164: &str) -> Option<String> {
    let digits = e164.strip_prefix('+')?;
    if !(2..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = phonenumber::parse(None, e164).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    number.country().id().map(|id| id.as_ref().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_forms() {
        assert_eq!(scan(" +34 612 ").unwrap(), (Form::Plus, "34612".to_owned()));
        assert_eq!(
            scan("0049 30").unwrap(),
            (Form::DoubleZero, "4930".to_owned())
        );
        assert_eq!(
            scan("(030) 12-34").unwrap(),
            (Form::National, "0301234".to_owned())
        );
        assert_eq!(scan("   ").unwrap_err(), PhoneError::Empty);
        assert_eq!(scan("+").unwrap_err(), PhoneError::NotANumber);
        assert_eq!(scan("12+34").unwrap_err(), PhoneError::NotANumber);
        assert_eq!(scan("1-800-FLOWERS").unwrap_err(), PhoneError::NotANumber);
        assert_eq!(scan(&"1".repeat(21)).unwrap_err(), PhoneError::TooLong);
    }

    #[test]
    fn countries() {
        assert_eq!(parse_country("").unwrap(), None);
        assert_eq!(parse_country(" es ").unwrap(), Some(Id::ES));
        assert_eq!(parse_country("XX").unwrap_err(), PhoneError::InvalidCountry);
        assert_eq!(
            parse_country("ESP").unwrap_err(),
            PhoneError::InvalidCountry
        );
        assert_eq!(parse_country("1").unwrap_err(), PhoneError::InvalidCountry);
    }
}
