//! Lowercase hexadecimal helpers (tiny, so no extra dependency).

const fn nibble(n: u8) -> char {
    let n = n & 0x0f;
    (if n < 10 { b'0' + n } else { b'a' + (n - 10) }) as char
}

/// Encodes bytes as lowercase hex.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(nibble(b >> 4));
        out.push(nibble(*b));
    }
    out
}

/// Whether `s` is exactly `len` characters of lowercase hex (`0-9a-f`).
#[must_use]
pub fn is_lower_hex(s: &[u8], len: usize) -> bool {
    s.len() == len && s.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_lowercase() {
        assert_eq!(encode(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(encode(&[]), "");
    }

    #[test]
    fn validates() {
        assert!(is_lower_hex(b"00ff", 4));
        assert!(!is_lower_hex(b"00FF", 4));
        assert!(!is_lower_hex(b"00f", 4));
        assert!(!is_lower_hex(b"00fg", 4));
    }
}
