//! Random tokens and their digests. High-entropy tokens (API keys, session and device codes)
//! are stored as SHA-256 digests; only passwords need a slow hash (see services::users).
use rand::{Rng, distr::Alphanumeric};
use sha2::{Digest, Sha256};

/// `len` characters drawn uniformly from [0-9A-Za-z] (base62) by the thread-local CSPRNG.
pub fn random_base62(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// `bytes` random bytes, hex-encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(buf.as_mut_slice());
    hex::encode(buf)
}

/// A name for this server process in the leases it takes (alert rules, pattern mining):
/// its pid and a random part, so that two servers on one database never share one.
pub fn instance_name() -> String {
    format!("{}-{}", std::process::id(), random_hex(6))
}

/// SHA-256 of `secret`, lower-case hex (64 characters).
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_has_the_asked_length_and_alphabet() {
        let s = random_base62(43);
        assert_eq!(s.len(), 43);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(s, random_base62(43));
    }

    #[test]
    fn digest_is_stable_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(random_hex(16).len(), 32);
    }
}
