//! Timestamp identifiers (TIDs): the record keys of the AT Protocol, used by Earshot as the idempotency key
//! of every queued reply. 64 bits: the time in microseconds since 1970 (53 bits) and a 10-bit clock id,
//! written in 13 characters of sortable base32 ("234567abcdefghijklmnopqrstuvwxyz").

const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// The TID of `micros` (microseconds since 1970) and `clock_id` (its low 10 bits are used).
pub fn encode(micros: i64, clock_id: u16) -> String {
    let value = ((micros.max(0) as u64 & ((1 << 53) - 1)) << 10) | u64::from(clock_id & 0x3ff);
    (0..13).rev().map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char).collect()
}

/// The time in a TID, in microseconds since 1970; `None` when `tid` is not one.
pub fn micros(tid: &str) -> Option<i64> {
    if tid.len() != 13 {
        return None;
    }
    let mut value: u64 = 0;
    for b in tid.bytes() {
        let digit = ALPHABET.iter().position(|a| *a == b)? as u64;
        value = (value << 5) | digit;
    }
    // The top bit is always zero.
    (value >> 63 == 0).then_some((value >> 10) as i64)
}

/// A fresh clock id: ten random bits, so two keys made in the same microsecond still differ.
pub fn random_clock_id() -> u16 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() & 0x3ff) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tid_is_thirteen_sortable_characters_that_keep_their_time() {
        let a = encode(1_700_000_000_000_000, 5);
        let b = encode(1_700_000_000_000_001, 0);
        assert_eq!(a.len(), 13);
        assert!(a < b, "later keys sort after earlier ones");
        assert_eq!(micros(&a), Some(1_700_000_000_000_000));
        assert!(a.starts_with(|c: char| "234567abcdefghij".contains(c)), "the top bit is zero: {a}");
    }

    #[test]
    fn known_tid_decodes() {
        // A record key from the AT Protocol documentation.
        assert!(micros("3jzfcijpj2z2a").is_some());
        assert_eq!(micros("not-a-tid"), None);
        assert_eq!(micros("zzzzzzzzzzzzz"), None);
    }
}
