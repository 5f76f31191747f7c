//! Recovery tokens over the public API.
#![allow(clippy::unwrap_used, reason = "test code")]

use cartpinger_core::token;
use cartpinger_core::TokenError;

/// `bin2hex(implode('', array_map('chr', range(0, 31))))` and its SHA-256, from PHP.
const TOKEN_0_31: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const HASH_0_31: &str = "6c86c6aac5fb24bcf5d9939cb7d7d5645ce39418f449e03b262dd4fa14b4b92b";

#[test]
fn generate_known_answer() {
    let random: Vec<u8> = (0..32).collect();
    let g = token::generate(&random).unwrap();
    assert_eq!(g.token, TOKEN_0_31);
    assert_eq!(g.hash, HASH_0_31);
    assert_eq!(token::hash(g.token.as_bytes()).unwrap(), HASH_0_31);
    // PHP: hash('sha256', str_repeat('ab', 32))
    assert_eq!(
        token::generate(&[0xab; 32]).unwrap().hash,
        "271a413bd339c5709fdceaec41f14f11e9fbfb5042d72d331c65f32b284cd09a"
    );
}

#[test]
fn debug_hides_the_token() {
    let g = token::generate(&[0xab; 32]).unwrap();
    assert!(!format!("{g:?}").contains(&g.token));
}

#[test]
fn random_must_be_32_bytes() {
    for n in [0_usize, 1, 16, 31, 33, 64] {
        assert_eq!(
            token::generate(&vec![1; n]).unwrap_err(),
            TokenError::InvalidRandomLength
        );
    }
    assert_eq!(TokenError::InvalidRandomLength.code(), 3001);
}

#[test]
fn hash_validates_the_token() {
    let upper = TOKEN_0_31.to_uppercase();
    let cases: [&[u8]; 6] = [
        b"",
        &TOKEN_0_31.as_bytes()[..63],
        upper.as_bytes(),
        b"zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        b"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00",
        b"\xff\xfe0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    ];
    for c in cases {
        assert_eq!(token::hash(c).unwrap_err(), TokenError::MalformedToken);
    }
    assert_eq!(TokenError::MalformedToken.code(), 3002);
}

#[test]
fn verify() {
    assert!(token::verify(TOKEN_0_31.as_bytes(), HASH_0_31.as_bytes()));
    let other = token::generate(&[7; 32]).unwrap();
    assert!(!token::verify(other.token.as_bytes(), HASH_0_31.as_bytes()));
    assert!(!token::verify(TOKEN_0_31.as_bytes(), other.hash.as_bytes()));
    // Malformed inputs are simply false.
    assert!(!token::verify(b"", HASH_0_31.as_bytes()));
    assert!(!token::verify(TOKEN_0_31.as_bytes(), b""));
    assert!(!token::verify(
        TOKEN_0_31.as_bytes(),
        HASH_0_31.to_uppercase().as_bytes()
    ));
    assert!(!token::verify(
        TOKEN_0_31.to_uppercase().as_bytes(),
        HASH_0_31.as_bytes()
    ));
    // The hash itself is not a valid token for that hash.
    assert!(!token::verify(HASH_0_31.as_bytes(), HASH_0_31.as_bytes()));
}
