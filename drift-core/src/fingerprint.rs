//! Keyed fingerprints of secret values (DESIGN §8): HMAC-SHA-256, truncated.
//!
//! A plain hash of a short password can be reversed by guessing; a keyed one cannot without the key.
//! The key comes from `DRIFT_FINGERPRINT_KEY`; without it every run draws a random key, so
//! fingerprints compare within one report and mean nothing outside it.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The environment variable that holds a stable fingerprint key.
pub const KEY_VARIABLE: &str = "DRIFT_FINGERPRINT_KEY";

/// Computes fingerprints with one key.
#[derive(Clone)]
pub struct Fingerprinter {
    key: Vec<u8>,
    configured: bool,
}

impl fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the key.
        f.debug_struct("Fingerprinter").field("configured", &self.configured).finish_non_exhaustive()
    }
}

impl Default for Fingerprinter {
    /// A random per-run key.
    fn default() -> Self {
        let mut key = vec![0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // No entropy source: fall back to the address space and the clock, which still makes the
            // key unknown to anyone reading the report later.
            let seed = format!("{:?}{:p}", std::time::SystemTime::now(), &key);
            key = sha2_digest(seed.as_bytes());
        }
        Fingerprinter { key, configured: false }
    }
}

fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    Sha256::digest(bytes).to_vec()
}

impl Fingerprinter {
    /// A fingerprinter with a configured key: fingerprints are stable across runs and snapshots.
    pub fn with_key(key: &[u8]) -> Self {
        Fingerprinter { key: key.to_vec(), configured: true }
    }

    /// The key from `DRIFT_FINGERPRINT_KEY` when set and non-empty, else a random one.
    pub fn from_env() -> Self {
        match std::env::var(KEY_VARIABLE) {
            Ok(key) if !key.is_empty() => Self::with_key(key.as_bytes()),
            _ => Self::default(),
        }
    }

    /// Whether the key was configured (fingerprints mean something outside this run).
    pub fn is_configured(&self) -> bool {
        self.configured
    }

    /// Identifies the key without revealing it, so that fingerprints made with another key (another
    /// run's random key, or a snapshot saved with another configured key) are never compared.
    pub fn key_id(&self) -> String {
        let id = &self.mac(b"drift key id\0")[..12];
        if self.configured { id.to_owned() } else { format!("random-{id}") }
    }

    /// The fingerprint of a value: 16 hex digits (64 bits) of its HMAC.
    pub fn fingerprint(&self, value: &[u8]) -> String {
        let mut fp = self.mac(value);
        fp.truncate(16);
        fp
    }

    fn mac(&self, value: &[u8]) -> String {
        let mut mac = match HmacSha256::new_from_slice(&self.key) {
            Ok(mac) => mac,
            // HMAC accepts keys of any length; this arm is unreachable but must not panic.
            Err(_) => return String::from("0000000000000000"),
        };
        mac.update(value);
        crate::report::hex(&mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_and_stable() {
        let a = Fingerprinter::with_key(b"k1");
        let b = Fingerprinter::with_key(b"k2");
        assert_eq!(a.fingerprint(b"hunter2"), a.fingerprint(b"hunter2"));
        assert_ne!(a.fingerprint(b"hunter2"), b.fingerprint(b"hunter2"));
        assert_ne!(a.fingerprint(b"hunter2"), a.fingerprint(b"hunter3"));
        assert_eq!(a.fingerprint(b"x").len(), 16);
        assert_ne!(a.key_id(), b.key_id());
        assert!(Fingerprinter::default().key_id().starts_with("random-"));
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(Fingerprinter::default().fingerprint(b"x"), Fingerprinter::default().fingerprint(b"x"));
    }
}
