//! Paths and helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository: seeds, golden files, corpus, tools.
pub fn shared() -> PathBuf {
    root().join("../shared")
}

/// The sample incidents.
pub fn incidents() -> PathBuf {
    root().join("incidents")
}

/// Runs the `aftermath` binary built for these tests.
pub fn aftermath(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aftermath"))
        .args(args)
        .current_dir(cwd)
        .env_remove("AFTERMATH_DATABASE")
        .env_remove("AFTERMATH_CONFIG")
        .output()
        .expect("running aftermath")
}

/// Stdout and stderr as text.
pub fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Copies the sample incidents into a fresh folder.
pub fn copy_incidents(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(incidents()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}
