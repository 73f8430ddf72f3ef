//! `switchboard backup`.

use std::path::PathBuf;

use clap::Args;
use switchboard_store::DatabaseUrl;

#[derive(Args)]
pub struct BackupArgs {
    /// The file to write the copy to (a new file: an existing one is never
    /// overwritten).
    #[arg(long)]
    to: PathBuf,
}

/// Copies the SQLite database while the server may be running (SQLite's
/// online backup API, not a file copy, so the copy is consistent).
pub async fn run(database_url: &str, args: BackupArgs) -> Result<(), String> {
    let url = DatabaseUrl::parse(database_url).map_err(|e| e.to_string())?;
    let from = match url {
        DatabaseUrl::Sqlite(path) => path,
        DatabaseUrl::Postgres(_) => {
            return Err(format!(
                "backup copies SQLite databases; {} is PostgreSQL: back it up with pg_dump \
                 (e.g. pg_dump --format=custom --file=switchboard.dump DATABASE_URL) and restore \
                 with pg_restore; see README.md, Operations",
                url.redacted()
            ));
        }
    };
    let to = args.to;
    let shown = to.display().to_string();
    tokio::task::spawn_blocking(move || switchboard_store::backup::sqlite(&from, &to))
        .await
        .map_err(|e| format!("backup stopped: {e}"))?
        .map_err(|e| e.to_string())?;
    println!("Backed up to {shown}");
    Ok(())
}
