//! The search index's files in a build. The shards' names can be known without indexing
//! anything: a build whose index is made of the same inputs (by [`search::inputs_key`]) as
//! an earlier one makes the same shards, so the names that build kept are taken instead.
//! Each shard is keyed by those inputs and its name, like a page by what it reads: an output
//! folder that holds it is not written, and the index is built only when a shard must be.

use super::{search, File, Job, Kept, Renderer};

impl Renderer {
    /// The key of what the search index is made of (computed once).
    pub fn search_inputs(&self) -> &str {
        self.search_inputs.get_or_init(|| search::inputs_key(&self.site))
    }

    /// Takes the shards' names that an index made of [`Renderer::search_inputs`] had, so
    /// that listing the search files does not build the index.
    pub fn know_shards(&self, names: Vec<String>) {
        let _ = self.known_shards.set(names);
    }

    /// The search shards' names, in order (building the index unless they are known).
    pub fn shard_names(&self) -> &[String] {
        match self.known_shards.get() {
            Some(names) => names,
            None => &self.search_index().keys,
        }
    }

    /// The name of the `i`-th search shard.
    pub(super) fn shard_name(&self, i: usize) -> &str {
        self.shard_names().get(i).map_or("", String::as_str)
    }

    /// Renders the `i`-th shard and hands it to `f`, unless `kept` has it already (then
    /// the index is not needed for it).
    pub(super) fn shard<T>(&self, i: usize, kept: Option<Kept<'_, T>>, f: impl FnOnce(File<'_>) -> T) -> T {
        let path = self.output_path(Job::SearchShard(i));
        let name = self.shard_name(i);
        let key = kept.is_some().then(|| super::keys::hex_key(&[self.search_inputs(), name]));
        if let (Some(kept), Some(key)) = (kept, &key) {
            if let Some(answer) = kept(&path, key, None) {
                return answer;
            }
        }
        let bytes = self.search_index().shard_json(name);
        f(File { path: &path, bytes: &bytes, source: None, key: key.as_deref() })
    }
}
