//! One byte buffer per thread, lent to whoever needs a scratch buffer for a moment
//! (rendering a page, reading a kept page or card back, a view's JSON for its key):
//! memory reused from one use to the next instead of fresh memory the kernel zeroes each time.

use std::cell::Cell;

thread_local! {
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Lends `f` the thread's buffer, emptied. It is taken out while lent, so a use inside
/// `f` gets a buffer of its own.
pub fn with_buffer<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    let mut buf = BUFFER.take();
    buf.clear();
    let out = f(&mut buf);
    BUFFER.set(buf);
    out
}

/// Lends `f` the `len` bytes at `at` in `file` (read into the thread's buffer) when they are
/// all there and their XXH3-128 hash is `check`: bytes kept in a cache file are checked on
/// every read (another build may have written there, or the disk failed).
pub fn read_checked<T>(file: &std::fs::File, at: u64, len: usize, check: u128, f: impl FnOnce(&[u8]) -> T) -> Option<T> {
    use std::os::unix::fs::FileExt;
    with_buffer(|buf| {
        buf.resize(len, 0);
        let whole = file.read_exact_at(buf, at).is_ok() && xxhash_rust::xxh3::xxh3_128(buf) == check;
        whole.then(|| f(buf))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_lent_inside_another_is_its_own() {
        with_buffer(|outer| {
            outer.extend_from_slice(b"outer");
            with_buffer(|inner| {
                assert!(inner.is_empty());
                inner.extend_from_slice(b"inner");
            });
            assert_eq!(outer, b"outer");
        });
        with_buffer(|again| assert!(again.is_empty(), "lent emptied"));
    }
}
