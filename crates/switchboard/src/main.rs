//! `switchboard`: run the server, and manage accounts and apps from the command
//! line against the same database (also while the server runs).

#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

/// mimalloc instead of glibc's allocator: a call fetch makes a few dozen small
/// allocations, and glibc's `malloc`/`free` were about a sixth of its CPU
/// (docs/benchmarks.md, finding 10). Built without transparent huge pages, which
/// would otherwise put idle memory over its 20 MB target.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
