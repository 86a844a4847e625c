//! Stage 4, the output folder: writes what render produced (staged, then swapped in, so
//! that a failed build changes nothing), or checks every link of it without writing.
//!
//! May import every stage before it; nothing before it imports this.

pub mod cache;
pub mod linkcheck;
pub mod manifest;
pub mod media;
pub mod pages;
pub mod write;
