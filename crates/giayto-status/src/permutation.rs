//! Random index allocation: a keyed pseudo-random permutation of `0..size`.
//!
//! An issuer hands out status-list indices in the order `permute(0)`, `permute(1)`, … for a
//! list. Every index is used once, none is wasted, allocation is O(1) with nothing to search,
//! and without the list's secret key the index of a credential reveals nothing about when it was
//! issued or which credentials were issued next to it. The permutation is a four-round
//! balanced Feistel network over the smallest even power of two that covers `size`, with
//! SHA-256 of (key, round, half) as the round function, and cycle-walking to stay inside
//! `0..size` (fewer than four steps on average).

use sha2::{Digest, Sha256};

const ROUNDS: u8 = 4;

/// A keyed permutation of `0..size`.
#[derive(Clone)]
pub struct IndexPermutation {
    key: [u8; 32],
    size: u64,
    half_bits: u32,
}

impl std::fmt::Debug for IndexPermutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexPermutation")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl IndexPermutation {
    /// The permutation of `0..size` under `key`. `size` must be at least 2 and below 2^62.
    pub fn new(key: [u8; 32], size: u64) -> Option<IndexPermutation> {
        if !(2..1 << 62).contains(&size) {
            return None;
        }
        let bits = 64 - (size - 1).leading_zeros();
        Some(IndexPermutation {
            key,
            size,
            half_bits: bits.div_ceil(2),
        })
    }

    /// The size of the domain.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The index at position `n` of the permutation, for `n < size`.
    pub fn index(&self, n: u64) -> Option<u64> {
        if n >= self.size {
            return None;
        }
        let mut x = n;
        loop {
            x = self.feistel(x);
            if x < self.size {
                return Some(x);
            }
        }
    }

    fn feistel(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for round in 0..ROUNDS {
            let f = self.round(round, right) & mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }

    fn round(&self, round: u8, half: u64) -> u64 {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update([round]);
        h.update(half.to_le_bytes());
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_permutation_for_even_and_odd_bit_sizes() {
        for size in [2u64, 3, 1000, 1 << 12, (1 << 13) + 5] {
            let p = IndexPermutation::new([7; 32], size).unwrap();
            let mut seen = vec![false; size as usize];
            for n in 0..size {
                let i = p.index(n).unwrap();
                assert!(i < size);
                assert!(!seen[i as usize], "index {i} given twice (size {size})");
                seen[i as usize] = true;
            }
            assert_eq!(p.index(size), None);
        }
    }

    #[test]
    fn order_is_scattered_and_key_dependent() {
        let size = 131_072;
        let a = IndexPermutation::new([1; 32], size).unwrap();
        let b = IndexPermutation::new([2; 32], size).unwrap();
        let first_a: Vec<u64> = (0..64).map(|n| a.index(n).unwrap()).collect();
        let first_b: Vec<u64> = (0..64).map(|n| b.index(n).unwrap()).collect();
        assert_ne!(first_a, first_b);
        // Consecutive issuances land far apart: not increasing, and spread over the list.
        let increasing = first_a.windows(2).filter(|w| w[1] > w[0]).count();
        assert!(
            (16..48).contains(&increasing),
            "{increasing} of 63 steps go up"
        );
        let max = *first_a.iter().max().unwrap();
        let min = *first_a.iter().min().unwrap();
        assert!(max - min > size / 2);
    }

    #[test]
    fn bad_sizes() {
        assert!(IndexPermutation::new([0; 32], 0).is_none());
        assert!(IndexPermutation::new([0; 32], 1).is_none());
        assert!(IndexPermutation::new([0; 32], 1 << 62).is_none());
    }
}
