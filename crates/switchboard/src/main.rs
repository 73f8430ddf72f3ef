//! `switchboard`: run the server, and manage accounts and apps from the command
//! line against the same database (also while the server runs).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
