/// FNV-1a: the same on every platform and Rust release, unlike std's hasher, so
/// the inventory and call plans do not change between machines or upgrades.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
