//! Map keys: one pointer (8 bytes) to a shared, reference-counted string.
//!
//! A large Terraform state or Kubernetes export has millions of fields but a few hundred distinct
//! key names. Each thread keeps a small direct-mapped cache of the keys it made last, so the fields
//! of one file share their key strings; nothing is global and nothing outlives its last field.
//! Keys that do not repeat (a `.env` file of unique names) cost one allocation each and one cache
//! slot that the next key overwrites.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{BuildHasher, Hash};

use arcstr::ArcStr;
use rustc_hash::FxBuildHasher;

/// A map key (also a path's key segment): a shared string, cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key(ArcStr);

/// Slots of each thread's cache (a power of two).
const SLOTS: usize = 1024;

thread_local! {
    static CACHE: RefCell<Vec<Option<ArcStr>>> = RefCell::new(vec![None; SLOTS]);
}

impl Key {
    /// The key for this text; the same allocation as the previous key with this text on this
    /// thread, unless another key has taken its cache slot since.
    pub fn new(text: &str) -> Key {
        // The high bits: FxHash's low bits are weak for short strings.
        let slot = (FxBuildHasher.hash_one(text) >> 32) as usize & (SLOTS - 1);
        CACHE.with_borrow_mut(|cache| match &mut cache[slot] {
            Some(cached) if cached.as_str() == text => Key(cached.clone()),
            entry => {
                let key = ArcStr::from(text);
                *entry = Some(key.clone());
                Key(key)
            }
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        if ArcStr::ptr_eq(&self.0, &other.0) { Ordering::Equal } else { self.as_str().cmp(other.as_str()) }
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::ops::Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Key {
    fn from(text: &str) -> Key {
        Key::new(text)
    }
}

impl From<String> for Key {
    fn from(text: String) -> Key {
        Key::new(&text)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_share_one_string() {
        let (a, b) = (Key::new("spec"), Key::new("spec"));
        assert!(ArcStr::ptr_eq(&a.0, &b.0));
        assert_eq!(a, b);
        assert_ne!(a, Key::new("specs"));
    }

    #[test]
    fn keys_from_different_threads_are_equal_by_text() {
        let here = Key::new("metadata");
        let there = std::thread::spawn(|| Key::new("metadata")).join().unwrap_or_else(|_| panic!("thread"));
        assert_eq!(here, there);
        assert_eq!(here.cmp(&there), Ordering::Equal);
    }

    #[test]
    fn keys_order_by_text() {
        let mut keys = [Key::new("b"), Key::new("a"), Key::new("ab"), Key::new("")];
        keys.sort();
        assert_eq!(keys.iter().map(Key::as_str).collect::<Vec<_>>(), ["", "a", "ab", "b"]);
    }

    #[test]
    fn a_key_outlives_its_cache_slot() {
        let first = Key::new("key-0");
        for i in 1..(SLOTS * 4) {
            let text = format!("key-{i}");
            assert_eq!(Key::new(&text).as_str(), text);
        }
        assert_eq!(first.as_str(), "key-0");
    }
}
