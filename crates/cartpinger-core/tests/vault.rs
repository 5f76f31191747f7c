//! Vault over the public API: known answers computed independently with PHP
//! (`hash_hkdf('sha256', …)` + `openssl_encrypt('aes-256-gcm', …)`), round trips, and every way an
//! envelope can be damaged.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cartpinger_core::vault::{self, Vault};
use cartpinger_core::VaultError;

const NONCE: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/// Known-answer vectors. Generated with PHP 8.2 / OpenSSL, independently of this crate:
///
/// ```php
/// $key = hash_hkdf('sha256', $ikm, 32, 'aes-256-gcm key', 'cartpinger/vault/v1');
/// $kid = hash_hkdf('sha256', $ikm, 8, 'key id', 'cartpinger/vault/v1');
/// $ct  = openssl_encrypt($pt, 'aes-256-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag, $ad, 16);
/// $env = 'cpv1.' . rtrim(strtr(base64_encode("\x01" . $kid . $nonce . $ct . $tag), '+/', '-_'), '=');
/// ```
struct Kat {
    ikm: &'static [u8],
    plaintext: &'static [u8],
    ad: &'static [u8],
    nonce: [u8; 12],
    key_id: &'static str,
    envelope: &'static str,
}

const KATS: &[Kat] = &[
    Kat {
        ikm: b"cartpinger-test-key-material-0123456789",
        plaintext: b"EAAG-access-token-example",
        ad: b"cartpinger_access_token",
        nonce: NONCE,
        key_id: "0db0bb72ca244133",
        envelope: "cpv1.AQ2wu3LKJEEzAAECAwQFBgcICQoLSMU7cvkjDTOWiwGLs9fAI-E2NV3inamy5R6Yzk6CqQiLuRmXkgSmWho",
    },
    Kat {
        // Binary key material (NUL and high bytes), empty plaintext.
        ikm: b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xfe",
        plaintext: b"",
        ad: b"cartpinger_app_secret",
        nonce: [0xaa; 12],
        key_id: "e57f8c48e65314ec",
        envelope: "cpv1.AeV_jEjmUxTsqqqqqqqqqqqqqqqqD5c48GIjoddSo6FafBXKMg",
    },
    Kat {
        // UTF-8 and binary plaintext, minimum-length key material.
        ikm: b"0123456789abcdef",
        plaintext: b"h\xc3\xa9llo \xf0\x9f\x9b\x92 \x00\x01\xff",
        ad: b"cartpinger_verify_token",
        nonce: [0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b],
        key_id: "0f70b973e5f14672",
        envelope: "cpv1.AQ9wuXPl8UZy8OHSw7Sllod4aVpLuVTXyqG9iPFx8atJjcJ8_7kZPy8JxuTte0faidA2Bg",
    },
];

#[test]
fn known_answers_encrypt_and_decrypt() {
    for (i, kat) in KATS.iter().enumerate() {
        let plaintext = kat.plaintext;
        let v = Vault::new(kat.ikm).unwrap();
        assert_eq!(v.key_id_hex(), kat.key_id, "key id of vector {i}");
        let env = v.encrypt(plaintext, kat.ad, &kat.nonce).unwrap();
        assert_eq!(env, kat.envelope, "envelope of vector {i}");
        assert_eq!(&**v.decrypt(env.as_bytes(), kat.ad).unwrap(), plaintext);
        assert!(vault::is_envelope(env.as_bytes()));
    }
}

fn blob(env: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(env.strip_prefix(vault::PREFIX).unwrap())
        .unwrap()
}

fn envelope(blob: &[u8]) -> String {
    format!("{}{}", vault::PREFIX, URL_SAFE_NO_PAD.encode(blob))
}

fn sample() -> (Vault, String) {
    let v = Vault::new(b"a-site-key-that-is-long-enough!!").unwrap();
    let env = v
        .encrypt(b"secret access token", b"cartpinger_access_token", &NONCE)
        .unwrap();
    (v, env)
}

#[test]
fn round_trip_and_fresh_nonces_differ() {
    let (v, env) = sample();
    assert_eq!(
        &**v.decrypt(env.as_bytes(), b"cartpinger_access_token")
            .unwrap(),
        b"secret access token"
    );
    let other = v
        .encrypt(b"secret access token", b"cartpinger_access_token", &[9; 12])
        .unwrap();
    assert_ne!(env, other);
    assert_eq!(
        &**v.decrypt(other.as_bytes(), b"cartpinger_access_token")
            .unwrap(),
        b"secret access token"
    );
}

#[test]
fn tamper_every_region() {
    let (v, env) = sample();
    let original = blob(&env);
    let len = original.len();
    let regions: [(&str, std::ops::Range<usize>, VaultError); 5] = [
        ("version", 0..1, VaultError::UnsupportedVersion),
        ("key id", 1..9, VaultError::KeyMismatch),
        ("nonce", 9..21, VaultError::DecryptionFailed),
        ("ciphertext", 21..len - 16, VaultError::DecryptionFailed),
        ("tag", len - 16..len, VaultError::DecryptionFailed),
    ];
    for (name, range, expected) in regions {
        for i in range {
            let mut b = original.clone();
            b[i] ^= 0x01;
            let got = v
                .decrypt(envelope(&b).as_bytes(), b"cartpinger_access_token")
                .unwrap_err();
            assert_eq!(got, expected, "flipping byte {i} ({name})");
        }
    }
}

#[test]
fn wrong_key_is_key_mismatch() {
    let (_, env) = sample();
    let other = Vault::new(b"another-site-key-also-long-enough").unwrap();
    assert_eq!(
        other
            .decrypt(env.as_bytes(), b"cartpinger_access_token")
            .unwrap_err(),
        VaultError::KeyMismatch
    );
}

#[test]
fn moved_to_another_option_fails_authentication() {
    let (v, env) = sample();
    assert_eq!(
        v.decrypt(env.as_bytes(), b"cartpinger_app_secret")
            .unwrap_err(),
        VaultError::DecryptionFailed
    );
    assert_eq!(
        v.decrypt(env.as_bytes(), b"").unwrap_err(),
        VaultError::DecryptionFailed
    );
}

#[test]
fn malformed_envelopes() {
    let (v, env) = sample();
    let ad = b"cartpinger_access_token";
    let short = envelope(&blob(&env)[..36]);
    let cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"cpv1.".to_vec(),
        b"plain text token".to_vec(),
        b"CPV1.AQ2wu3LKJEEz".to_vec(),
        format!("{env}=").into_bytes(),
        env.replace('.', ":").into_bytes(),
        format!("cpv1.{}", "*".repeat(60)).into_bytes(),
        format!("cpv1.{}", &env[5..].replace('A', "+")).into_bytes(),
        env.as_bytes()[..env.len() - 1].to_vec(), // truncated: 1 mod 4 chars or lost bytes
        short.into_bytes(),
        vec![0xff, 0xfe, 0x00],
    ];
    for c in cases {
        let got = v.decrypt(&c, ad).unwrap_err();
        // Truncating one char may still decode (to a shorter blob): then the tag fails.
        assert!(
            matches!(
                got,
                VaultError::MalformedEnvelope | VaultError::DecryptionFailed
            ),
            "{:?} -> {got:?}",
            String::from_utf8_lossy(&c)
        );
        if c.len() < 55 {
            assert_eq!(
                got,
                VaultError::MalformedEnvelope,
                "{:?}",
                String::from_utf8_lossy(&c)
            );
        }
    }
    // Precisely: fewer than 37 bytes is malformed.
    assert_eq!(
        v.decrypt(envelope(&blob(&env)[..36]).as_bytes(), ad)
            .unwrap_err(),
        VaultError::MalformedEnvelope
    );
}

#[test]
fn other_format_versions_are_unsupported() {
    let (v, env) = sample();
    let v2 = env.replacen("cpv1.", "cpv2.", 1);
    assert_eq!(
        v.decrypt(v2.as_bytes(), b"cartpinger_access_token")
            .unwrap_err(),
        VaultError::UnsupportedVersion
    );
    let mut b = blob(&env);
    b[0] = 2;
    assert_eq!(
        v.decrypt(envelope(&b).as_bytes(), b"cartpinger_access_token")
            .unwrap_err(),
        VaultError::UnsupportedVersion
    );
}

#[test]
fn nonce_must_be_12_bytes() {
    let (v, _) = sample();
    for n in [0_usize, 1, 11, 13, 16, 24] {
        assert_eq!(
            v.encrypt(b"x", b"ad", &vec![0; n]).unwrap_err(),
            VaultError::InvalidNonce,
            "nonce of {n} bytes"
        );
    }
}

#[test]
fn key_material_rules() {
    assert_eq!(Vault::new(b"short").unwrap_err(), VaultError::InvalidKey);
    assert_eq!(
        Vault::new(&[0_u8; vault::MIN_KEY_MATERIAL_LEN - 1]).unwrap_err(),
        VaultError::InvalidKey
    );
    // Same material, same key id; different material, different key id.
    let a = Vault::new(b"0123456789abcdef").unwrap();
    let b = Vault::new(b"0123456789abcdef").unwrap();
    let c = Vault::new(b"0123456789abcdeg").unwrap();
    assert_eq!(a.key_id(), b.key_id());
    assert_ne!(a.key_id(), c.key_id());
    assert_eq!(a.key_id_hex().len(), 16);
}

#[test]
fn empty_and_large_plaintexts() {
    let (v, _) = sample();
    let ad = b"cartpinger_access_token";
    let empty = v.encrypt(b"", ad, &NONCE).unwrap();
    assert!(v.decrypt(empty.as_bytes(), ad).unwrap().is_empty());

    let utf8 = "Ünïcødé 🛒 токен ".repeat(20_000);
    let env = v.encrypt(utf8.as_bytes(), ad, &NONCE).unwrap();
    assert_eq!(&**v.decrypt(env.as_bytes(), ad).unwrap(), utf8.as_bytes());

    let binary: Vec<u8> = (0..1_048_576_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let env = v.encrypt(&binary, ad, &NONCE).unwrap();
    assert!(vault::is_envelope(env.as_bytes()));
    assert_eq!(*v.decrypt(env.as_bytes(), ad).unwrap(), binary);
}

#[test]
fn is_envelope_shape() {
    let (_, env) = sample();
    assert!(vault::is_envelope(env.as_bytes()));
    assert!(!vault::is_envelope(b""));
    assert!(!vault::is_envelope(b"cpv1."));
    assert!(!vault::is_envelope(b"EAAGplaintexttoken"));
    assert!(!vault::is_envelope(format!("{env}=").as_bytes()));
    assert!(!vault::is_envelope(
        env.replacen("cpv1.", "cpv2.", 1).as_bytes()
    ));
    assert!(!vault::is_envelope(
        &envelope(&blob(&env)[..36]).into_bytes()
    ));
}

#[test]
fn error_messages_hold_no_secrets() {
    let (v, env) = sample();
    let err = v
        .decrypt(env.as_bytes(), b"cartpinger_app_secret")
        .unwrap_err();
    let msg = err.to_string();
    assert!(!msg.contains("secret access token"));
    assert!(!msg.contains("cartpinger_app_secret"));
    assert!(!msg.contains(&env));
    assert_eq!(err.code(), 1005);
}
