//! The language model run in-process by llama.cpp (the `llama-cpp-2` bindings; chosen over
//! candle's quantized models by measurement, see docs/labels.md): greedy decoding, the model's own
//! chat template, and the model's cache of the tokens a request shares with the one before
//! (the instructions and worked examples every theme's prompt begins with) kept, so that
//! only the theme's own part is read again.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

use super::prompt::{self, JsonEnd};
use super::{GenerateError, Request, Writer, Written};

/// Tokens of context: the longest prompt (about 900 tokens) and its answer, with room.
const CONTEXT: u32 = 2048;
/// Most tokens an answer may take (three labels and two sentences take 60-110).
const MAX_ANSWER: usize = 200;

/// llama.cpp's backend, set up once per process (a second set-up is refused).
fn backend() -> Result<&'static LlamaBackend, GenerateError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    let backend = BACKEND.get_or_init(|| {
        let mut backend = LlamaBackend::init().map_err(|e| e.to_string())?;
        backend.void_logs();
        Ok(backend)
    });
    backend.as_ref().map_err(|why| GenerateError::Model { path: "llama.cpp".into(), why: why.clone() })
}

/// A GGUF model, loaded when first asked.
pub struct LlamaWriter {
    path: PathBuf,
    model: Option<LlamaModel>,
}

impl LlamaWriter {
    pub fn new(path: &Path) -> Self {
        LlamaWriter { path: path.to_path_buf(), model: None }
    }

    fn error(&self, why: impl std::fmt::Display) -> GenerateError {
        GenerateError::Model { path: self.path.display().to_string(), why: why.to_string() }
    }
}

impl Writer for LlamaWriter {
    fn write(
        &mut self,
        requests: &[Request],
        progress: &indicatif::ProgressBar,
    ) -> Result<Vec<Written>, GenerateError> {
        let backend = backend()?;
        if self.model.is_none() {
            let model = LlamaModel::load_from_file(backend, &self.path, &LlamaModelParams::default())
                .map_err(|e| self.error(e))?;
            self.model = Some(model);
        }
        let model = self.model.as_ref().expect("loaded above");
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as i32;
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(CONTEXT))
            .with_n_batch(CONTEXT)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        let mut ctx = model.new_context(backend, params).map_err(|e| self.error(e))?;
        let template = model.chat_template(None).ok();
        let vocab = model.vocab();
        let mut cached: Vec<LlamaToken> = Vec::new();
        let mut batch = LlamaBatch::new(CONTEXT as usize, 1);
        let mut out = Vec::with_capacity(requests.len());
        for request in requests {
            let messages = [("system", prompt::SYSTEM), ("user", request.prompt.as_str())];
            let text = match &template {
                Some(template) => {
                    let chat = messages
                        .iter()
                        .map(|(role, content)| LlamaChatMessage::new(role.to_string(), content.to_string()))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| self.error(e))?;
                    model.apply_chat_template(template, &chat, true).map_err(|e| self.error(e))?
                }
                // A GGUF without a template: ChatML, which most instruct models were tuned on.
                None => {
                    messages
                        .iter()
                        .map(|(role, content)| format!("<|im_start|>{role}\n{content}<|im_end|>\n"))
                        .collect::<String>()
                        + "<|im_start|>assistant\n"
                }
            };
            let tokens = vocab.tokenize(text.as_bytes(), true, true);
            if tokens.len() + MAX_ANSWER > CONTEXT as usize {
                return Err(self.error(format!("a prompt of {} tokens does not fit {CONTEXT}", tokens.len())));
            }
            // What the cache holds of this prompt already; at least its last token is read again,
            // for the logits the first answer token is drawn from.
            let shared = cached.iter().zip(&tokens).take_while(|(a, b)| a == b).count().min(tokens.len() - 1);
            ctx.clear_kv_cache_seq(Some(0), Some(shared as u32), None).map_err(|e| self.error(e))?;
            cached.truncate(shared);
            batch.clear();
            for (i, &token) in tokens.iter().enumerate().skip(shared) {
                batch.add(token, i as i32, &[0], i == tokens.len() - 1).map_err(|e| self.error(e))?;
            }
            ctx.decode(&mut batch).map_err(|e| self.error(e))?;
            cached.extend_from_slice(&tokens[shared..]);

            let mut sampler = match request.grammar {
                Some(grammar) => LlamaSampler::chain_simple([
                    LlamaSampler::grammar(model, grammar, "root").map_err(|e| self.error(e))?,
                    LlamaSampler::greedy(),
                ]),
                None => LlamaSampler::greedy(),
            };
            let mut answer: Vec<u8> = Vec::new();
            let mut generated = 0;
            let mut json = JsonEnd::default();
            while generated < MAX_ANSWER {
                // `sample` also accepts the token into the sampler's state (the grammar's).
                let token = sampler.sample(&ctx, batch.n_tokens() - 1);
                if vocab.is_eog(token) {
                    break;
                }
                let piece = vocab.token_to_piece(token, false, None);
                generated += 1;
                if let Some((kept, closing)) = json.ends_in(&piece) {
                    answer.extend_from_slice(&piece[..kept]);
                    answer.extend_from_slice(closing.as_bytes());
                    break;
                }
                answer.extend_from_slice(&piece);
                batch.clear();
                batch.add(token, cached.len() as i32, &[0], true).map_err(|e| self.error(e))?;
                ctx.decode(&mut batch).map_err(|e| self.error(e))?;
                cached.push(token);
            }
            out.push(Written {
                text: String::from_utf8_lossy(&answer).into_owned(),
                read_tokens: tokens.len() - shared,
                generated_tokens: generated,
            });
            progress.inc(1);
        }
        Ok(out)
    }
}
